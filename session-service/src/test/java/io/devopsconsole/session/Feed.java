package io.devopsconsole.session;

import static io.restassured.RestAssured.given;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.devopsconsole.events.CloudEventCodec;
import io.devopsconsole.events.EventEnvelope;
import io.devopsconsole.events.EventJson;
import io.devopsconsole.events.Topics;
import io.devopsconsole.events.agent.AgentStreamRecord;
import io.devopsconsole.events.agent.StreamKind;
import io.devopsconsole.events.registry.ProjectCreated;
import io.devopsconsole.testkit.TestInfrastructure;
import io.devopsconsole.testkit.Tokens;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Plays the agent-runner in tests: stream records onto console.agent.stream.v1 with one shared producer. */
public final class Feed {

    private static KafkaProducer<String, byte[]> producer;

    private Feed() {}

    public static synchronized KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            Properties props = new Properties();
            props.put(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    TestInfrastructure.kafka().bootstrapServers());
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
            producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        }
        return producer;
    }

    public static AgentStreamRecord record(UUID session, long seq, StreamKind kind, ObjectNode payload) {
        return new AgentStreamRecord(
                UUID.randomUUID(),
                session,
                seq,
                kind,
                "turn-1",
                "item-" + seq,
                null,
                OffsetDateTime.now(ZoneOffset.UTC),
                payload == null ? EventJson.mapper().createObjectNode() : payload);
    }

    public static ObjectNode payload() {
        return EventJson.mapper().createObjectNode();
    }

    /** Sends and waits for the broker's acknowledgement. */
    public static AgentStreamRecord send(AgentStreamRecord r) {
        publish(
                Topics.AGENT_STREAM,
                CloudEventCodec.wrap(r, "/agent-runner", "agent-runner", OffsetDateTime.now(ZoneOffset.UTC), Map.of()));
        return r;
    }

    /** Puts an event on a topic as its service would (key = subject, CloudEvent headers), acknowledged by the broker. */
    private static void publish(String topic, EventEnvelope e) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, e.subject(), e.data());
        CloudEventCodec.toKafkaHeaders(e).forEach((k, v) -> record.headers().add(k, v));
        try {
            producer().send(record).get();
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * A turn starts in the (fresh) session and the agent asks to run {@code command}: returns the
     * approval's id once session-service has stored it.
     */
    public static String askApproval(UUID session, String requestId, String command) {
        send(session, 1, StreamKind.TURN_STARTED, null);
        send(
                session,
                2,
                StreamKind.APPROVAL_REQUESTED,
                payload()
                        .put("request_id", requestId)
                        .put("approval_kind", "command")
                        .put("command", command)
                        .put("cwd", "/srv/app")
                        .put("reason", "tests"));
        return org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(20))
                .until(
                        () -> given().auth()
                                .oauth2(io.devopsconsole.testkit.Tokens.viewer())
                                .get("/api/sessions/" + session + "/approvals")
                                .then()
                                .extract()
                                .jsonPath()
                                .getString("items.find { it.request_id == '" + requestId + "' }.id"),
                        id -> id != null);
    }

    /** Puts a domain event on a topic as its producing service would (acknowledged by the broker). */
    public static void publish(String topic, io.devopsconsole.events.DomainEvent event, String source) {
        publish(topic, CloudEventCodec.wrap(event, "/" + source, source, OffsetDateTime.now(ZoneOffset.UTC), Map.of()));
    }

    public static AgentStreamRecord send(UUID session, long seq, StreamKind kind, ObjectNode payload) {
        return send(record(session, seq, kind, payload));
    }

    /**
     * A project the registry announced (ProjectCreated on console.registry.v1), once session-service
     * has taken it in: sessions and handoffs are only opened for registered projects.
     */
    public static UUID newProject() {
        UUID project = UUID.randomUUID();
        announce(new ProjectCreated(project, "payments-api", "Payments API", "Cards", "/srv/projects/payments-api", 0));
        return project;
    }

    /** Announces a registry event as the registry would, and waits until session-service holds the project's current view. */
    public static void announce(io.devopsconsole.events.DomainEvent event) {
        EventEnvelope e =
                CloudEventCodec.wrap(event, "/registry-service", "olga", OffsetDateTime.now(ZoneOffset.UTC), Map.of());
        publish(Topics.REGISTRY, e);
        UUID project = UUID.fromString(e.subject());
        boolean archived = event instanceof io.devopsconsole.events.registry.ProjectArchived;
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(20))
                .until(() -> io.devopsconsole.testkit.Sql.count(
                                "SELECT count(*) FROM session.project_view WHERE id = ? AND archived = ?",
                                project,
                                archived)
                        == 1);
    }

    /** Opens a session for a fresh project as the operator; returns its id. */
    public static UUID newSession(String policy) {
        String body = "{\"project_id\":\"" + newProject() + "\""
                + (policy == null ? "" : ",\"approval_policy\":\"" + policy + "\"") + "}";
        return UUID.fromString(given().auth()
                .oauth2(Tokens.operator())
                .contentType("application/json")
                .body(body)
                .post("/api/sessions")
                .then()
                .statusCode(201)
                .extract()
                .path("id"));
    }
}
