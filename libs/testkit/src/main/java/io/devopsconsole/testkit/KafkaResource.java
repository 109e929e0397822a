package io.devopsconsole.testkit;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Points the service's Kafka clients (SmallRye channels and the outbox relay) at the test broker. */
public class KafkaResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of("kafka.bootstrap.servers", TestInfrastructure.kafka().bootstrapServers());
    }

    @Override
    public void stop() {
        // shared per JVM; stopped by TestInfrastructure's shutdown hook
    }
}
