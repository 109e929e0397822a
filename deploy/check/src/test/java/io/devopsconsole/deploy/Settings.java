package io.devopsconsole.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The configuration names scripts/up gives the services (the one documented set), and which of
 * them each service needs: every deployment (Kubernetes, one Debian host) must give them under
 * the same names.
 */
final class Settings {

    private Settings() {}

    /** As {@link #byService(boolean)} for a deployment whose Kafka is secured (TLS + SCRAM). */
    static Map<String, Set<String>> byService() throws IOException {
        return byService(true);
    }

    /**
     * The names each service needs. {@code securedKafka}: the deployment's broker takes TLS and SCRAM
     * (Kubernetes); without it (one host, a broker on loopback only) the security settings are not needed.
     */
    static Map<String, Set<String>> byService(boolean securedKafka) throws IOException {
        String up = Files.readString(Rendered.ROOT.resolve("scripts/up"));
        Set<String> exported = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)(?:export|^\\s+)\\s*((?:QUARKUS|DEVOPS|KAFKA)_[A-Z0-9_]+)=")
                .matcher(up);
        while (m.find()) {
            exported.add(m.group(1));
        }
        // the local PostgreSQL launcher's own, and the port each service listens on (set by each deployment its way)
        exported.removeAll(
                Set.of("DEVOPS_PG_PASSWORD", "DEVOPS_PG_LOGIN_ROLES", "QUARKUS_HTTP_HOST", "QUARKUS_HTTP_PORT"));
        // a runner replica's name: scripts/up names its replicas, a pod is named by HOSTNAME, a host by its name
        exported.remove("DEVOPS_AGENT_INSTANCE_ID");
        if (!securedKafka) {
            exported.removeIf(
                    n -> n.startsWith("KAFKA_SECURITY_") || n.startsWith("KAFKA_SASL_") || n.startsWith("KAFKA_SSL_"));
        }
        Map<String, Set<String>> out = new TreeMap<>();
        for (String s : ManifestsTest.SERVICES) {
            Set<String> names = new TreeSet<>();
            for (String name : exported) {
                boolean applies = switch (name) {
                    case "QUARKUS_DATASOURCE_REACTIVE_URL",
                            "QUARKUS_DATASOURCE_JDBC_URL",
                            "QUARKUS_DATASOURCE_PASSWORD" -> !s.equals("console-ui");
                    case "DEVOPS_DB_OWNER_PASSWORD" -> s.equals("audit-service");
                    case "DEVOPS_REGISTRY_URL", "DEVOPS_AUTH_IMPORT_DIR" -> s.equals("onboarding-service");
                    case "DEVOPS_AGENT_IDENTITY" -> s.equals("agent-runner") || s.equals("onboarding-service");
                    // every Kafka setting (the secured stack's included) for every service that uses Kafka
                    default ->
                        name.startsWith("DEVOPS_CONSOLE_")
                                ? s.equals("console-ui")
                                : name.startsWith("KAFKA_") ? !s.equals("console-ui") : name.startsWith("QUARKUS_");
                };
                if (applies) {
                    names.add(name);
                }
            }
            out.put(s, names);
        }
        return out;
    }
}
