package io.devopsconsole.platform.outbox;

import com.fasterxml.jackson.core.type.TypeReference;
import io.agroal.api.AgroalDataSource;
import io.devopsconsole.events.CloudEventCodec;
import io.devopsconsole.events.EventEnvelope;
import io.devopsconsole.events.EventJson;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Publishes committed outbox rows to Kafka and marks them sent. It runs on its own thread (JDBC
 * and the Kafka producer both block), is woken by the table's NOTIFY trigger the moment a
 * transaction commits, and polls slowly as a fallback. Rows are claimed in insertion order under
 * a per-schema advisory lock, so several replicas can run and one aggregate's events keep their
 * order. While the broker is down the batch is rolled back and
 * retried with back-off: events are delayed, never lost. A crash between publish and commit
 * republishes the batch, which consumers absorb by event id.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    private static final Pattern SCHEMA = Pattern.compile("[a-z][a-z0-9_]{0,62}");
    private static final Duration CLEANUP_EVERY = Duration.ofMinutes(5);

    private final AgroalDataSource dataSource;
    private final OutboxConfig config;
    private final String bootstrapServers;
    private final String clientId;
    private final String table;
    private final String channel;
    private final Counter published;
    private final Counter failures;
    private final Timer lag;

    private volatile boolean running;
    private volatile Thread thread;
    private volatile Connection listener;
    private KafkaProducer<String, byte[]> producer;
    private Instant nextCleanup = Instant.now();
    private boolean failing;

    public OutboxRelay(AgroalDataSource dataSource, OutboxConfig config, MeterRegistry meters,
                       @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
                       @ConfigProperty(name = "quarkus.application.name") String serviceName) {
        this.dataSource = dataSource;
        this.config = config;
        this.bootstrapServers = bootstrapServers;
        this.clientId = serviceName + "-outbox";
        if (!SCHEMA.matcher(config.schema()).matches()) {
            throw new IllegalArgumentException("devops.schema must be a plain lower-case identifier");
        }
        this.table = config.schema() + ".outbox_event";
        this.channel = config.schema() + "_outbox";
        this.published = Counter.builder("outbox.events.published").description("Outbox events published to Kafka")
                .register(meters);
        this.failures = Counter.builder("outbox.relay.failures").description("Relay batches that failed and will be retried")
                .register(meters);
        this.lag = Timer.builder("outbox.publish.lag").description("Time from the event to its publication")
                .publishPercentiles(0.5, 0.99).register(meters);
    }

    void start(@Observes StartupEvent event) {
        if (!config.outbox().enabled()) {
            LOG.info("outbox relay disabled on this instance");
            return;
        }
        running = true;
        Thread t = new Thread(this::run, "outbox-relay");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        Thread t = thread;
        closeListener();
        if (t != null) {
            t.interrupt();
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        long backoffMillis = 100;
        while (running) {
            try {
                ensureListening();
                int sent = drainOnce();
                if (failing) {
                    LOG.info("outbox relay recovered; publishing again");
                    failing = false;
                }
                backoffMillis = 100;
                if (sent < config.outbox().batchSize()) {
                    awaitWakeUp();
                    cleanUpIfDue();
                }
            } catch (Exception e) {
                if (!running) {
                    break;
                }
                failures.increment();
                if (!failing) {
                    LOG.warnf("outbox relay cannot publish (%s); retrying with back-off", e.toString());
                    failing = true;
                } else {
                    LOG.debugf(e, "outbox relay still failing");
                }
                closeProducer();
                closeListener();
                pause(backoffMillis);
                backoffMillis = Math.min(backoffMillis * 2, config.outbox().pollInterval().toMillis());
            }
        }
        closeProducer();
    }

    /** Publishes one batch; returns how many rows it marked sent. */
    int drainOnce() throws Exception {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                if (!holdRelayLock(connection)) {
                    connection.commit();
                    return 0;
                }
                List<Row> rows = claim(connection);
                if (rows.isEmpty()) {
                    connection.commit();
                    return 0;
                }
                KafkaProducer<String, byte[]> kafka = producer();
                List<Future<RecordMetadata>> acks = new ArrayList<>(rows.size());
                for (Row row : rows) {
                    ProducerRecord<String, byte[]> record = new ProducerRecord<>(row.topic, row.envelope.subject(),
                            row.envelope.data());
                    CloudEventCodec.toKafkaHeaders(row.envelope).forEach((k, v) -> record.headers().add(k, v));
                    acks.add(kafka.send(record));
                }
                long deadline = System.nanoTime() + config.outbox().sendTimeout().toNanos();
                for (Future<RecordMetadata> ack : acks) {
                    ack.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                }
                markSent(connection, rows);
                connection.commit();
                Instant now = Instant.now();
                for (Row row : rows) {
                    lag.record(Duration.between(row.envelope.time().toInstant(), now));
                }
                published.increment(rows.size());
                return rows.size();
            } catch (Exception e) {
                rollbackQuietly(connection);
                throw e;
            }
        }
    }

    /**
     * One relay per schema publishes at a time (a transaction-scoped advisory lock), which keeps
     * the topic order equal to the commit order even with several replicas.
     */
    private boolean holdRelayLock(Connection connection) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement("SELECT pg_try_advisory_xact_lock(hashtext(?))")) {
            lock.setString(1, table);
            try (ResultSet rs = lock.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private List<Row> claim(Connection connection) throws SQLException {
        String sql = "SELECT event_id, topic, ce_type, ce_source, message_key, ce_time, actor, extensions, data FROM "
                + table + " WHERE sent_at IS NULL ORDER BY seq LIMIT ? FOR UPDATE SKIP LOCKED";
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            select.setInt(1, config.outbox().batchSize());
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    Map<String, String> extensions = EventJson.mapper().readValue(rs.getString("extensions"),
                            new TypeReference<Map<String, String>>() {
                            });
                    EventEnvelope envelope = new EventEnvelope(rs.getObject("event_id", UUID.class),
                            rs.getString("ce_source"), rs.getString("ce_type"), rs.getString("message_key"),
                            rs.getObject("ce_time", OffsetDateTime.class), rs.getString("actor"), extensions,
                            rs.getBytes("data"));
                    rows.add(new Row(rs.getString("topic"), envelope));
                }
            } catch (java.io.IOException e) {
                throw new SQLException("outbox row has unreadable extensions", e);
            }
        }
        return rows;
    }

    private void markSent(Connection connection, List<Row> rows) throws SQLException {
        UUID[] ids = rows.stream().map(r -> r.envelope.id()).toArray(UUID[]::new);
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE " + table + " SET sent_at = now() WHERE event_id = ANY (?)")) {
            Array array = connection.createArrayOf("uuid", ids);
            update.setArray(1, array);
            update.executeUpdate();
        }
    }

    private void ensureListening() throws SQLException {
        if (listener == null) {
            Connection connection = dataSource.getConnection();
            try (Statement statement = connection.createStatement()) {
                statement.execute("LISTEN " + channel);
            } catch (SQLException e) {
                connection.close();
                throw e;
            }
            listener = connection;
        }
    }

    private void awaitWakeUp() throws SQLException {
        Connection connection = listener;
        if (connection == null) {
            return;
        }
        // Blocks until a commit NOTIFYs the channel or the poll interval passes; either way we drain.
        connection.unwrap(PGConnection.class).getNotifications((int) config.outbox().pollInterval().toMillis());
    }

    private void cleanUpIfDue() throws SQLException {
        Instant now = Instant.now();
        if (now.isBefore(nextCleanup)) {
            return;
        }
        nextCleanup = now.plus(CLEANUP_EVERY);
        try (Connection connection = dataSource.getConnection();
             PreparedStatement delete = connection.prepareStatement(
                     "DELETE FROM " + table + " WHERE sent_at IS NOT NULL AND sent_at < now() - make_interval(secs => ?)")) {
            delete.setDouble(1, config.outbox().retention().toSeconds());
            int removed = delete.executeUpdate();
            if (removed > 0) {
                LOG.debugf("removed %d published outbox rows past retention", removed);
            }
        }
    }

    private KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            long timeout = config.outbox().sendTimeout().toMillis();
            Properties props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
            props.put(ProducerConfig.LINGER_MS_CONFIG, 1);
            props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout);
            props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.max(1000, timeout / 2));
            props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(2000, timeout));
            props.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
            producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        }
        return producer;
    }

    private void closeProducer() {
        if (producer != null) {
            try {
                producer.close(Duration.ZERO);
            } catch (RuntimeException e) {
                LOG.debug("closing the outbox producer failed", e);
            }
            producer = null;
        }
    }

    private void closeListener() {
        Connection connection = listener;
        listener = null;
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.debug("closing the outbox listener failed", e);
            }
        }
    }

    private void pause(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            LOG.debug("rollback after a failed batch failed", e);
        }
    }

    private record Row(String topic, EventEnvelope envelope) {
    }
}
