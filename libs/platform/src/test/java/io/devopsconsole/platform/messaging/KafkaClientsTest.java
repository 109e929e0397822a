package io.devopsconsole.platform.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every Kafka client gets the same connection settings; none is built from the broker list alone. */
class KafkaClientsTest {

    static KafkaClients clients(Map<String, String> properties) {
        return new KafkaClients(new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(properties, "test", 100))
                .build());
    }

    @Test
    void theSecuritySettingsReachEveryClientAndBehaviourSettingsDoNot() {
        KafkaClients kafka = clients(Map.of(
                "kafka.bootstrap.servers", "kafka-0:9093",
                "kafka.security.protocol", "SASL_SSL",
                "kafka.sasl.mechanism", "SCRAM-SHA-512",
                "kafka.sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"p\";",
                "kafka.ssl.truststore.type", "PEM",
                "kafka.ssl.truststore.location", "/etc/ca.crt",
                "kafka.ssl.keystore.location", "",
                "kafka.auto.offset.reset", "earliest"));
        Properties props = kafka.properties("relay-1");
        assertThat(props)
                .containsEntry("bootstrap.servers", "kafka-0:9093")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("ssl.truststore.type", "PEM")
                .containsEntry("ssl.truststore.location", "/etc/ca.crt")
                .containsEntry("client.id", "relay-1")
                .containsKey("sasl.jaas.config")
                .doesNotContainKey("auto.offset.reset")
                .doesNotContainKey("ssl.keystore.location");
        assertThat(kafka.describe())
                .isEqualTo("kafka-0:9093 over SASL_SSL SCRAM-SHA-512")
                .doesNotContain("password");
        // each caller gets its own copy
        props.put("acks", "all");
        assertThat(kafka.properties("other")).doesNotContainKey("acks");
    }

    /** The environment forms (KAFKA_SASL_JAAS_CONFIG) count like the property names, as they do for SmallRye's channels. */
    @Test
    void environmentFormsAreTheSameSettings() {
        KafkaClients kafka = clients(Map.of(
                "kafka.bootstrap.servers",
                "kafka-0:9093",
                "KAFKA_SECURITY_PROTOCOL",
                "SASL_SSL",
                "KAFKA_SASL_JAAS_CONFIG",
                "x required;",
                "KAFKA_SSL_TRUSTSTORE_LOCATION",
                "/etc/ca.crt",
                "KAFKA_SSL_KEYSTORE_TYPE",
                ""));
        assertThat(kafka.properties("c"))
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.jaas.config", "x required;")
                .containsEntry("ssl.truststore.location", "/etc/ca.crt")
                .doesNotContainKey("ssl.keystore.type");
    }

    @Test
    void withoutBrokersNothingStarts() {
        assertThatThrownBy(() -> clients(Map.of("kafka.security.protocol", "SSL")))
                .hasMessageContaining("kafka.bootstrap.servers");
    }

    /**
     * The rule, for code written later: a Kafka client in the services' and the platform's main code
     * takes its settings from KafkaClients (the testkit talks to its own plaintext test broker).
     */
    @Test
    void noClientInTheCodeBaseIsBuiltFromTheBrokerListAlone() throws IOException {
        Path root = Path.of(System.getProperty("user.dir"))
                .toAbsolutePath()
                .getParent()
                .getParent();
        List<String> offenders = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")
                            && p.toString().contains("/src/main/")
                            && !p.toString().contains("/node_modules/")
                            && !p.toString().contains("/libs/testkit/"))
                    .toList()) {
                String source = Files.readString(f);
                if (!f.endsWith("KafkaClients.java")
                        && (source.contains("BOOTSTRAP_SERVERS_CONFIG")
                                || source.contains("name = \"kafka.bootstrap.servers\""))) {
                    offenders.add(root.relativize(f).toString());
                }
            }
        }
        assertThat(offenders)
                .as("main code building a Kafka client from the broker list")
                .isEmpty();
    }
}
