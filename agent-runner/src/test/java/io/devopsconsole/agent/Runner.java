package io.devopsconsole.agent;

import static org.awaitility.Awaitility.await;

import io.devopsconsole.events.CloudEventCodec;
import io.devopsconsole.events.DomainEvent;
import io.devopsconsole.events.EventCatalog;
import io.devopsconsole.events.EventEnvelope;
import io.devopsconsole.events.agent.AgentStreamRecord;
import io.devopsconsole.events.agent.StreamKind;
import io.devopsconsole.events.registry.CodexStatusChanged;
import io.devopsconsole.events.registry.HostKeyTrusted;
import io.devopsconsole.events.registry.RuntimeProfileCreated;
import io.devopsconsole.events.registry.RuntimeProfileState;
import io.devopsconsole.events.registry.TargetRegistered;
import io.devopsconsole.events.registry.TargetState;
import io.devopsconsole.platform.validation.HostKeys;
import io.devopsconsole.testkit.KafkaTopics;
import io.devopsconsole.testkit.Sql;
import io.devopsconsole.testkit.TestInfrastructure;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * What the tests do around the runner: tell it about targets and profiles the way the registry
 * does (events on console.registry.v1), send it commands the way session-service does, and read
 * what it publishes on the stream topic (one consumer for the whole run, from the beginning).
 */
public final class Runner {

    private static final Map<UUID, List<AgentStreamRecord>> STREAM = new ConcurrentHashMap<>();
    private static volatile boolean tapping;

    private Runner() {}

    public static void send(DomainEvent event) {
        EventEnvelope e = CloudEventCodec.wrap(event, "/test", "olga", OffsetDateTime.now(ZoneOffset.UTC), Map.of());
        ProducerRecord<String, byte[]> r =
                new ProducerRecord<>(EventCatalog.of(event).topic(), e.subject(), e.data());
        CloudEventCodec.toKafkaHeaders(e).forEach((k, v) -> r.headers().add(k, v));
        KafkaTopics.send(TestInfrastructure.kafka().bootstrapServers(), r);
    }

    /** A target the runner may use: registered, its host key trusted, Codex ready (or the given status). */
    public static UUID target(String name, int port, String hostKeyLine, String codexStatus) {
        return target(name, port, "codex", hostKeyLine, codexStatus);
    }

    public static UUID target(String name, int port, String user, String hostKeyLine, String codexStatus) {
        UUID id = UUID.randomUUID();
        String[] key = hostKeyLine.split(" ");
        String fingerprint = HostKeys.fingerprint(key[0], key[1]).orElseThrow();
        send(new TargetRegistered(new TargetState(
                id,
                name,
                "127.0.0.1",
                port,
                user,
                "lab",
                null,
                "lan",
                null,
                "default_control_plane_identity",
                null,
                fingerprint,
                "unknown",
                false,
                0)));
        send(new HostKeyTrusted(id, name, key[0], fingerprint, hostKeyLine, "onboarding", "olga", 1));
        send(new CodexStatusChanged(id, name, "unknown", codexStatus, 2));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> Sql.count(
                                "SELECT count(*) FROM agent.target_view WHERE id = ?"
                                        + " AND host_public_key IS NOT NULL AND codex_status = ?",
                                id,
                                codexStatus)
                        == 1);
        return id;
    }

    /** A project whose runtime profile binds the target as primary, with these Codex options. */
    public static UUID project(UUID target, String directory, RuntimeProfileState.CodexOptions codex) {
        UUID project = registered();
        UUID profile = UUID.randomUUID();
        send(new RuntimeProfileCreated(new RuntimeProfileState(
                profile,
                project,
                "confirm",
                List.of(new RuntimeProfileState.Binding(target, "primary", directory)),
                codex,
                0)));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> Sql.count("SELECT count(*) FROM agent.profile_view WHERE project_id = ?", project) == 1);
        return project;
    }

    /** A project whose runtime profile binds these targets (the first as primary, the rest as secondary). */
    public static UUID project(List<UUID> targets, List<String> directories, RuntimeProfileState.CodexOptions codex) {
        UUID project = registered();
        List<RuntimeProfileState.Binding> bindings = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            bindings.add(new RuntimeProfileState.Binding(
                    targets.get(i), i == 0 ? "primary" : "secondary", directories.get(i)));
        }
        send(new RuntimeProfileCreated(
                new RuntimeProfileState(UUID.randomUUID(), project, "confirm", bindings, codex, 0)));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> Sql.count("SELECT count(*) FROM agent.profile_view WHERE project_id = ?", project) == 1);
        return project;
    }

    /** A project as the registry announces it (session-service opens sessions only for registered projects). */
    private static UUID registered() {
        UUID project = UUID.randomUUID();
        send(new io.devopsconsole.events.registry.ProjectCreated(
                project,
                "p-" + project.toString().substring(0, 8),
                "Project " + project.toString().substring(0, 8),
                null,
                "/srv/p",
                0));
        return project;
    }

    /** Everything published for the session so far, in stream order. */
    public static List<AgentStreamRecord> stream(UUID session) {
        tap();
        List<AgentStreamRecord> records = new ArrayList<>(STREAM.getOrDefault(session, List.of()));
        records.sort(Comparator.comparingLong(AgentStreamRecord::streamSeq));
        return records;
    }

    public static List<StreamKind> kinds(UUID session) {
        return stream(session).stream().map(AgentStreamRecord::kind).toList();
    }

    /** Waits until the session's stream has a record of this kind (the nth, counting from 1), and returns it. */
    public static AgentStreamRecord awaitRecord(UUID session, StreamKind kind, int nth) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            var found = stream(session).stream()
                    .filter(r -> r.kind() == kind)
                    .skip(nth - 1)
                    .findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new AssertionError("no " + kind.wire() + " #" + nth + " on the stream of session " + session
                + " within 30 s;" + " it has: "
                + stream(session).stream()
                        .map(r -> r.kind().wire() + r.payload())
                        .toList());
    }

    public static AgentStreamRecord awaitRecord(UUID session, StreamKind kind) {
        return awaitRecord(session, kind, 1);
    }

    private static synchronized void tap() {
        if (tapping) {
            return;
        }
        tapping = true;
        Thread t = new Thread(
                () -> {
                    Properties props = new Properties();
                    props.put(
                            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                            TestInfrastructure.kafka().bootstrapServers());
                    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
                    try (KafkaConsumer<String, byte[]> consumer =
                            new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
                        List<TopicPartition> partitions = new ArrayList<>();
                        while (partitions.isEmpty()) {
                            // the topic appears with the runner's first record
                            var infos = consumer.partitionsFor("console.agent.stream.v1", Duration.ofSeconds(30));
                            if (infos != null) {
                                infos.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
                            }
                            if (partitions.isEmpty()) {
                                Thread.sleep(200);
                            }
                        }
                        consumer.assign(partitions);
                        consumer.seekToBeginning(partitions);
                        while (true) {
                            consumer.poll(Duration.ofMillis(100)).forEach(record -> {
                                try {
                                    var decoded = CloudEventCodec.decode(CloudEventCodec.fromKafka(
                                            () -> {
                                                List<Map.Entry<String, byte[]>> h = new ArrayList<>();
                                                record.headers().forEach(x -> h.add(Map.entry(x.key(), x.value())));
                                                return h.iterator();
                                            },
                                            record.value()));
                                    if (decoded.isPresent() && decoded.get() instanceof AgentStreamRecord r) {
                                        STREAM.computeIfAbsent(r.sessionId(), k -> new CopyOnWriteArrayList<>())
                                                .add(r);
                                    }
                                } catch (Exception e) {
                                    // not ours to judge here
                                }
                            });
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "stream-tap");
        t.setDaemon(true);
        t.start();
    }
}
