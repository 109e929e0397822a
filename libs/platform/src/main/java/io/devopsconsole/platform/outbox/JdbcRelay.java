package io.devopsconsole.platform.outbox;

import io.agroal.api.AgroalDataSource;
import io.devopsconsole.events.CloudEventCodec;
import io.devopsconsole.events.EventEnvelope;
import io.micrometer.core.instrument.Counter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;

/**
 * The loop shared by relays that move committed rows from PostgreSQL to Kafka: one thread of its
 * own (JDBC and the Kafka producer both block), woken by a NOTIFY channel the moment a writing
 * transaction commits, with a slow poll as fallback; each batch runs in one transaction under a
 * transaction-scoped advisory lock, so several replicas may run and topic order equals commit
 * order. While the broker (or the database) is down the batch is rolled back and retried with
 * back-off: rows are delayed, never lost; a crash between publish and commit re-sends the batch
 * with the same event ids, which consumers absorb.
 */
public abstract class JdbcRelay {

    private final Logger log;
    private final AgroalDataSource dataSource;
    private final String name;
    private final String lockName;
    private final String channel;
    private final io.devopsconsole.platform.messaging.KafkaClients kafka;
    private final String clientId;
    private final Duration pollInterval;
    private final Duration sendTimeout;
    private final Counter failures;

    private volatile boolean running;
    private volatile Thread thread;
    private volatile Connection listener;
    private KafkaProducer<String, byte[]> producer;
    private boolean failing;

    /**
     * @param name     the thread name and the word used in logs
     * @param lockName the advisory lock one publishing replica holds per batch
     * @param channel  the NOTIFY channel that wakes the relay on commit
     */
    protected JdbcRelay(
            AgroalDataSource dataSource,
            String name,
            String lockName,
            String channel,
            io.devopsconsole.platform.messaging.KafkaClients kafka,
            String clientId,
            Duration pollInterval,
            Duration sendTimeout,
            Counter failures) {
        this.log = Logger.getLogger(getClass());
        this.dataSource = dataSource;
        this.name = name;
        this.lockName = lockName;
        this.channel = channel;
        this.kafka = kafka;
        this.clientId = clientId;
        this.pollInterval = pollInterval;
        this.sendTimeout = sendTimeout;
        this.failures = failures;
    }

    /** A row to publish: its topic and its envelope (key = subject). */
    public record Outgoing(String topic, EventEnvelope envelope) {}

    /** Reads the next batch (in order) inside the relay's transaction; empty when there is nothing to send. */
    protected abstract List<Outgoing> claim(Connection connection) throws Exception;

    /** Records, in the same transaction, that {@code sent} (the batch just acknowledged) is published. */
    protected abstract void markSent(Connection connection, List<Outgoing> sent) throws SQLException;

    /** Rows claimed per batch; a full batch makes the relay go again at once. */
    protected abstract int batchSize();

    /** Called after each published batch. */
    protected void published(List<Outgoing> sent) {}

    /** Called when the relay is idle (after a short batch), before it waits for the next NOTIFY. */
    protected void idle(AgroalDataSource dataSource) throws SQLException {}

    protected final void startRelay() {
        running = true;
        Thread t = new Thread(this::run, name);
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    protected final void stopRelay() {
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
                    log.infof("%s recovered; publishing again", name);
                    failing = false;
                }
                backoffMillis = 100;
                if (sent < batchSize()) {
                    awaitWakeUp();
                    idle(dataSource);
                }
            } catch (Exception e) {
                if (!running) {
                    break;
                }
                failures.increment();
                if (!failing) {
                    log.warnf("%s cannot publish (%s); retrying with back-off", name, e.toString());
                    failing = true;
                } else {
                    log.debugf(e, "%s still failing", name);
                }
                closeProducer();
                closeListener();
                pause(backoffMillis);
                backoffMillis = Math.min(backoffMillis * 2, pollInterval.toMillis());
            }
        }
        closeProducer();
    }

    /** Publishes one batch; returns how many rows it published. */
    public int drainOnce() throws Exception {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                if (!holdLock(connection)) {
                    connection.commit();
                    return 0;
                }
                List<Outgoing> rows = claim(connection);
                if (rows.isEmpty()) {
                    connection.commit();
                    return 0;
                }
                KafkaProducer<String, byte[]> kafka = producer();
                List<Future<RecordMetadata>> acks = new ArrayList<>(rows.size());
                List<io.opentelemetry.api.trace.Span> spans = new ArrayList<>();
                for (Outgoing row : rows) {
                    ProducerRecord<String, byte[]> record = new ProducerRecord<>(
                            row.topic(),
                            row.envelope().subject(),
                            row.envelope().data());
                    CloudEventCodec.toKafkaHeaders(row.envelope())
                            .forEach((k, v) -> record.headers().add(k, v));
                    // an event recorded inside a trace is published as a span of it (the outbox delay shows)
                    io.opentelemetry.api.trace.Span span = io.devopsconsole.platform.tracing.Traces.start(
                            "publish " + row.envelope().type(),
                            io.opentelemetry.api.trace.SpanKind.PRODUCER,
                            io.devopsconsole.platform.tracing.Traces.fromExtensions(
                                    row.envelope().extensions()));
                    if (span.getSpanContext().isValid()) {
                        span.setAttribute("messaging.system", "kafka");
                        span.setAttribute("messaging.destination.name", row.topic());
                        io.devopsconsole.platform.tracing.Traces.toHeaders(
                                io.opentelemetry.context.Context.root().with(span), record.headers());
                        spans.add(span);
                    }
                    acks.add(kafka.send(record));
                }
                long deadline = System.nanoTime() + sendTimeout.toNanos();
                try {
                    for (Future<RecordMetadata> ack : acks) {
                        ack.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    }
                } finally {
                    spans.forEach(io.opentelemetry.api.trace.Span::end);
                }
                markSent(connection, rows);
                connection.commit();
                published(rows);
                return rows.size();
            } catch (Exception e) {
                rollbackQuietly(connection);
                throw e;
            }
        }
    }

    private boolean holdLock(Connection connection) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement("SELECT pg_try_advisory_xact_lock(hashtext(?))")) {
            lock.setString(1, lockName);
            try (ResultSet rs = lock.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
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
        connection.unwrap(PGConnection.class).getNotifications((int) pollInterval.toMillis());
    }

    private KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            long timeout = sendTimeout.toMillis();
            Properties props = kafka.properties(clientId);
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
                log.debugf(e, "closing the %s producer failed", name);
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
                log.debugf(e, "closing the %s listener failed", name);
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

    private void rollbackQuietly(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            log.debug("rollback after a failed batch failed", e);
        }
    }
}
