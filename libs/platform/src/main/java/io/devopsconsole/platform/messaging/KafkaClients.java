package io.devopsconsole.platform.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.eclipse.microprofile.config.Config;

/**
 * How every Kafka client of a service reaches the brokers: the {@code kafka.*} connection settings
 * (brokers, security protocol, SASL mechanism and credentials, trust and key stores) that
 * SmallRye's channels take, handed to the clients the services build themselves (outbox relays,
 * dead letters, the runner's stream and presence producers). No client is built from the broker
 * list alone, so a TLS/SCRAM listener works for all of them or for none.
 */
@ApplicationScoped
public class KafkaClients {

    /** The settings that say where and how to connect (not how a client behaves). */
    static final List<String> CONNECTION =
            List.of("bootstrap.servers", "security.protocol", "sasl.", "ssl.", "client.dns.lookup");

    private final Map<String, String> connection;

    public KafkaClients(Config config) {
        this.connection = connection(config);
    }

    static Map<String, String> connection(Config config) {
        Map<String, String> out = new TreeMap<>();
        for (String name : config.getPropertyNames()) {
            // kafka.sasl.jaas.config, or its environment form KAFKA_SASL_JAAS_CONFIG (as Quarkus reads them for
            // channels)
            String lower = name.toLowerCase(java.util.Locale.ROOT);
            if (!lower.startsWith("kafka.") && !lower.startsWith("kafka_")) {
                continue;
            }
            String key = lower.substring("kafka.".length()).replace('_', '.');
            if (CONNECTION.stream().anyMatch(p -> p.endsWith(".") ? key.startsWith(p) : key.equals(p))) {
                config.getOptionalValue(name, String.class)
                        .filter(v -> !v.isBlank())
                        .ifPresent(v -> out.put(key, v));
            }
        }
        if (!out.containsKey("bootstrap.servers")) {
            throw new IllegalStateException("kafka.bootstrap.servers is not set");
        }
        return out;
    }

    /** The connection settings plus {@code client.id}, for a client to add its own behaviour to. */
    public Properties properties(String clientId) {
        Properties props = new Properties();
        props.putAll(connection);
        props.put("client.id", clientId);
        return props;
    }

    /** Where and how clients connect, for logs (never the credentials). */
    public String describe() {
        String protocol = connection.getOrDefault("security.protocol", "PLAINTEXT");
        String mechanism = connection.containsKey("sasl.mechanism") ? " " + connection.get("sasl.mechanism") : "";
        return connection.get("bootstrap.servers") + " over " + protocol + mechanism;
    }
}
