package io.devopsconsole.agent.worker;

import io.devopsconsole.agent.AgentConfig;
import io.devopsconsole.events.CloudEventCodec;
import io.devopsconsole.events.EventEnvelope;
import io.devopsconsole.events.Topics;
import io.devopsconsole.events.agent.RunnerHeartbeat;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * Says, every {@code devops.agent.heartbeat-every}, that this runner is alive and which sessions it
 * drives ({@link RunnerHeartbeat} on {@code console.agent.presence.v1}). session-service tells the
 * viewers of those sessions as soon as the heartbeats stop — well before Kafka's group membership of
 * the dead runner expires and another runner takes its sessions over. An orderly shutdown says so
 * ({@code stopping}), so a handover is not reported as a death.
 */
@ApplicationScoped
public class RunnerPresence {

    private static final Logger LOG = Logger.getLogger(RunnerPresence.class);

    private final Drivers drivers;
    private final AgentConfig config;
    private final KafkaProducer<String, byte[]> producer;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "runner-presence");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean failing;

    public RunnerPresence(Drivers drivers, AgentConfig config, io.devopsconsole.platform.messaging.KafkaClients kafka) {
        this.drivers = drivers;
        this.config = config;
        Properties props = kafka.properties("agent-runner-presence-" + config.instanceId());
        props.put(ProducerConfig.ACKS_CONFIG, "1");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false); // a lost heartbeat is replaced by the next
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 5_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000);
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    void start(@Observes StartupEvent event) {
        long every = config.heartbeatEvery().toMillis();
        timer.scheduleAtFixedRate(() -> send(false), 0, every, TimeUnit.MILLISECONDS);
    }

    // before the drivers hand their sessions over (their observer has the default priority)
    void stop(@Observes @Priority(1) ShutdownEvent event) {
        timer.shutdownNow();
        send(true);
        producer.flush();
        producer.close(Duration.ofSeconds(2));
    }

    private void send(boolean stopping) {
        try {
            OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
            List<UUID> sessions = List.copyOf(drivers.sessions());
            RunnerHeartbeat beat = new RunnerHeartbeat(
                    config.instanceId(), sessions, now, config.heartbeatEvery().toMillis(), stopping);
            EventEnvelope envelope = CloudEventCodec.wrap(beat, "/agent-runner", "system:agent-runner", now, Map.of());
            ProducerRecord<String, byte[]> out =
                    new ProducerRecord<>(Topics.AGENT_PRESENCE, config.instanceId(), envelope.data());
            CloudEventCodec.toKafkaHeaders(envelope)
                    .forEach((k, v) -> out.headers().add(k, v));
            producer.send(out, (meta, error) -> {
                if (error != null && !failing) {
                    failing = true;
                    LOG.warnf("runner heartbeat not published: %s", error.toString());
                } else if (error == null && failing) {
                    failing = false;
                    LOG.infof("runner heartbeats published again");
                }
            });
        } catch (RuntimeException e) {
            LOG.debugf("runner heartbeat not sent: %s", e);
        }
    }
}
