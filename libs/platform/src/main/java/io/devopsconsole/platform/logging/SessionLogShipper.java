package io.devopsconsole.platform.logging;

import io.devopsconsole.events.CloudEventCodec;
import io.devopsconsole.events.EventEnvelope;
import io.devopsconsole.events.Topics;
import io.devopsconsole.events.logs.SessionLogged;
import io.devopsconsole.platform.messaging.KafkaClients;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Ships what a service logs about a session to {@code console.session.logs.v1} (key = session id),
 * where session-service keeps it per session for admins: with several replicas of every service, no
 * single process holds a session's whole log, so each one sends its part. On where
 * {@code devops.session-logs.enabled} is true (the services that act for sessions).
 *
 * <p>Best effort by design: the handler queues without blocking, one daemon thread sends, and when
 * the queue is full (a burst, or Kafka unreachable) records are dropped and counted
 * ({@code devops.session.logs.dropped}); the next record that is sent carries how many were lost
 * before it, so the gap shows in the session's log. Nothing a log record holds is a secret: the
 * handler redacts it before it is queued.
 */
@ApplicationScoped
public class SessionLogShipper {

    private static final Logger LOG = Logger.getLogger(SessionLogShipper.class);

    private final boolean enabled;
    private final String service;
    private final String level;
    private final int capacity;
    private final int maxChars;
    private final KafkaClients kafka;
    private final MeterRegistry meters;
    private final Losses losses = new Losses();
    private BlockingQueue<SessionLogged> queue;
    private SessionLogHandler handler;
    private KafkaProducer<String, byte[]> producer;
    private Thread sender;
    private volatile boolean stopping;

    public SessionLogShipper(
            SessionLogsConfig config,
            @ConfigProperty(name = "quarkus.application.name") String service,
            KafkaClients kafka,
            MeterRegistry meters) {
        this.enabled = config.enabled();
        this.service = service;
        this.level = config.level();
        this.capacity = config.queue();
        this.maxChars = config.maxChars();
        this.kafka = kafka;
        this.meters = meters;
    }

    void start(@Observes @Priority(10) StartupEvent event) {
        if (!enabled) {
            return;
        }
        String instance = instance();
        queue = new ArrayBlockingQueue<>(capacity);
        meters.gauge("devops.session.logs.queued", queue, BlockingQueue::size);
        meters.more().counter("devops.session.logs.dropped", List.of(), losses.total);
        Properties props = kafka.properties(service + "-session-logs-" + instance);
        props.put(ProducerConfig.ACKS_CONFIG, "1");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        handler = new SessionLogHandler(service, instance, SessionLogHandler.parse(level), maxChars, queue, losses);
        sender = new Thread(this::send, service + "-session-logs");
        sender.setDaemon(true);
        sender.start();
        java.util.logging.Logger.getLogger("").addHandler(handler);
        LOG.infof("session logs at %s and above shipped to %s", level, Topics.SESSION_LOGS);
    }

    // late: what the services log while handing their sessions over on shutdown is still shipped
    void stop(@Observes @Priority(9000) ShutdownEvent event) {
        if (handler == null) {
            return;
        }
        java.util.logging.Logger.getLogger("").removeHandler(handler);
        stopping = true;
        try {
            sender.join(3_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(2));
    }

    private void send() {
        List<SessionLogged> batch = new ArrayList<>();
        while (!stopping || !queue.isEmpty()) {
            try {
                SessionLogged first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, 255);
                for (SessionLogged e : batch) {
                    long lost = losses.take(e.sessionId());
                    try {
                        publish(lost > 0 ? withLoss(e, lost) : e);
                    } catch (RuntimeException failed) {
                        // Kafka unreachable for longer than max.block.ms: lost, and said with the next one
                        losses.add(e.sessionId(), lost + 1);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                batch.clear();
            }
        }
        producer.flush();
    }

    private void publish(SessionLogged e) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        EventEnvelope envelope = CloudEventCodec.wrap(e, "/" + service, "system:" + service, now, Map.of());
        ProducerRecord<String, byte[]> out =
                new ProducerRecord<>(Topics.SESSION_LOGS, e.aggregateId(), envelope.data());
        CloudEventCodec.toKafkaHeaders(envelope).forEach((k, v) -> out.headers().add(k, v));
        producer.send(out, (meta, error) -> {
            if (error != null) {
                losses.add(e.sessionId()); // said with the session's next record
            }
        });
    }

    /** The record, saying how many of this service's session log records were lost before it. */
    static SessionLogged withLoss(SessionLogged e, long lost) {
        String note = "(" + lost + " earlier record" + (lost == 1 ? "" : "s") + " of this session from " + e.instance()
                + " not shipped: its queue was full or Kafka unreachable) ";
        return new SessionLogged(
                e.sessionId(),
                e.at(),
                e.service(),
                e.instance(),
                e.sequence(),
                e.level(),
                e.logger(),
                note + e.message(),
                e.thrown(),
                e.traceId());
    }

    /** This process among the service's replicas: the pod name on Kubernetes, else host and pid. */
    static String instance() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = "localhost";
            }
        }
        return host + ":" + ProcessHandle.current().pid();
    }
}
