package io.devopsconsole.platform.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.devopsconsole.testkit.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shared client settings against a real broker that accepts only SASL_SSL (SCRAM-SHA-512, a
 * self-signed certificate, ACLs): a client built from them publishes; a wrong password, a topic
 * its ACLs do not name, and a client built from the broker list alone are all refused.
 */
class SecuredKafkaTest {

    static final KafkaBroker BROKER = KafkaBroker.securedEphemeral();
    static final String TOPIC = "console.secured-test.v1";

    @BeforeAll
    static void start() {
        BROKER.start();
        BROKER.createTopic(TOPIC, 1);
        BROKER.createTopic("console.elsewhere.v1", 1);
        BROKER.createUser(
                "relay",
                "relay-password",
                List.of(allow("relay", TOPIC, AclOperation.WRITE), allow("relay", TOPIC, AclOperation.DESCRIBE)));
    }

    @AfterAll
    static void stop() {
        BROKER.stop();
    }

    static AclBinding allow(String user, String topic, AclOperation operation) {
        return new AclBinding(
                new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL),
                new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW));
    }

    static KafkaClients clients(Map<String, String> settings) {
        Map<String, String> config = new HashMap<>();
        settings.forEach((k, v) -> config.put("kafka." + k, v));
        return KafkaClientsTest.clients(config);
    }

    static void publish(KafkaClients kafka, String topic) throws Exception {
        Properties props = kafka.properties("secured-test");
        props.put("max.block.ms", 8_000);
        props.put("delivery.timeout.ms", 10_000);
        props.put("request.timeout.ms", 5_000);
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, "k", "v".getBytes(StandardCharsets.UTF_8)))
                    .get(15, TimeUnit.SECONDS);
        }
    }

    @Test
    void aClientBuiltFromTheSharedSettingsPublishesOverSaslSsl() throws Exception {
        KafkaClients kafka = clients(BROKER.clientSettings("relay", "relay-password"));
        assertThat(kafka.describe()).endsWith("over SASL_SSL SCRAM-SHA-512");
        publish(kafka, TOPIC);
    }

    @Test
    void aWrongPasswordIsRefused() {
        assertThatThrownBy(() -> publish(clients(BROKER.clientSettings("relay", "guessed")), TOPIC))
                .hasRootCauseInstanceOf(SaslAuthenticationException.class);
    }

    @Test
    void aTopicTheUsersAclsDoNotNameIsRefused() {
        assertThatThrownBy(() ->
                        publish(clients(BROKER.clientSettings("relay", "relay-password")), "console.elsewhere.v1"))
                .hasRootCauseInstanceOf(TopicAuthorizationException.class);
    }

    @Test
    void theBrokerListAloneGetsNowhere() {
        assertThatThrownBy(() -> publish(clients(Map.of("bootstrap.servers", BROKER.bootstrapServers())), TOPIC))
                .isInstanceOfAny(
                        org.apache.kafka.common.errors.TimeoutException.class,
                        java.util.concurrent.ExecutionException.class,
                        java.util.concurrent.TimeoutException.class);
    }
}
