package io.devopsconsole.testkit;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;

/**
 * Points the service's reactive and JDBC datasources at the shared test PostgreSQL. With the init
 * argument {@code runtime-user} the service connects as that (unprivileged) role while Flyway
 * migrates as the server's owner role, as in production.
 */
public class PostgresResource implements QuarkusTestResourceLifecycleManager {

    private String runtimeUser;

    @Override
    public void init(Map<String, String> initArgs) {
        runtimeUser = initArgs.get("runtime-user");
    }

    @Override
    public Map<String, String> start() {
        PostgresServer pg = TestInfrastructure.postgres();
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.datasource.reactive.url", pg.reactiveUrl());
        config.put("quarkus.datasource.jdbc.url", pg.jdbcUrl());
        config.put("quarkus.datasource.password", pg.password());
        if (runtimeUser == null) {
            config.put("quarkus.datasource.username", pg.user());
        } else {
            config.put("quarkus.datasource.username", runtimeUser);
            config.put("quarkus.flyway.username", pg.user());
            config.put("quarkus.flyway.password", pg.password());
        }
        return config;
    }

    @Override
    public void stop() {
        // shared per JVM; stopped by TestInfrastructure's shutdown hook
    }
}
