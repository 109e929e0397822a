package io.devopsconsole.platform.outbox;

import com.fasterxml.jackson.core.type.TypeReference;
import io.agroal.api.AgroalDataSource;
import io.devopsconsole.events.EventEnvelope;
import io.devopsconsole.events.EventJson;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Publishes committed outbox rows to Kafka and marks them sent (see {@link JdbcRelay} for the
 * loop: own thread, NOTIFY wake-up, advisory lock, back-off). Rows are claimed in insertion order
 * with SKIP LOCKED under a per-schema lock, so one aggregate's events keep their order. Published
 * rows are kept for a day for inspection, then deleted.
 */
@Singleton // not proxied: the relay loop lives in a superclass with final state
public class OutboxRelay extends JdbcRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    private static final Pattern SCHEMA = Pattern.compile("[a-z][a-z0-9_]{0,62}");
    private static final Duration CLEANUP_EVERY = Duration.ofMinutes(5);

    private final OutboxConfig config;
    private final String table;
    private final Counter published;
    private final Timer lag;
    private Instant nextCleanup = Instant.now();

    public OutboxRelay(
            AgroalDataSource dataSource,
            OutboxConfig config,
            MeterRegistry meters,
            io.devopsconsole.platform.messaging.KafkaClients kafka,
            @ConfigProperty(name = "quarkus.application.name") String serviceName) {
        super(
                dataSource,
                "outbox-relay",
                checked(config.schema()) + ".outbox_event",
                config.schema() + "_outbox",
                kafka,
                serviceName + "-outbox",
                config.outbox().pollInterval(),
                config.outbox().sendTimeout(),
                Counter.builder("outbox.relay.failures")
                        .description("Relay batches that failed and will be retried")
                        .register(meters));
        this.config = config;
        this.table = config.schema() + ".outbox_event";
        this.published = Counter.builder("outbox.events.published")
                .description("Outbox events published to Kafka")
                .register(meters);
        this.lag = Timer.builder("outbox.publish.lag")
                .description("Time from the event to its publication")
                .publishPercentiles(0.5, 0.99)
                .register(meters);
    }

    private static String checked(String schema) {
        if (!SCHEMA.matcher(schema).matches()) {
            throw new IllegalArgumentException("devops.schema must be a plain lower-case identifier");
        }
        return schema;
    }

    void start(@Observes StartupEvent event) {
        if (!config.outbox().enabled()) {
            LOG.info("outbox relay disabled on this instance");
            return;
        }
        startRelay();
    }

    void stop(@Observes ShutdownEvent event) {
        stopRelay();
    }

    @Override
    protected int batchSize() {
        return config.outbox().batchSize();
    }

    @Override
    protected List<Outgoing> claim(Connection connection) throws SQLException {
        String sql = "SELECT event_id, topic, ce_type, ce_source, message_key, ce_time, actor, extensions, data FROM "
                + table + " WHERE sent_at IS NULL ORDER BY seq LIMIT ? FOR UPDATE SKIP LOCKED";
        List<Outgoing> rows = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            select.setInt(1, config.outbox().batchSize());
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    Map<String, String> extensions = EventJson.mapper()
                            .readValue(rs.getString("extensions"), new TypeReference<Map<String, String>>() {});
                    EventEnvelope envelope = new EventEnvelope(
                            rs.getObject("event_id", UUID.class),
                            rs.getString("ce_source"),
                            rs.getString("ce_type"),
                            rs.getString("message_key"),
                            rs.getObject("ce_time", OffsetDateTime.class),
                            rs.getString("actor"),
                            extensions,
                            rs.getBytes("data"));
                    rows.add(new Outgoing(rs.getString("topic"), envelope));
                }
            } catch (java.io.IOException e) {
                throw new SQLException("outbox row has unreadable extensions", e);
            }
        }
        return rows;
    }

    @Override
    protected void markSent(Connection connection, List<Outgoing> rows) throws SQLException {
        UUID[] ids = rows.stream().map(r -> r.envelope().id()).toArray(UUID[]::new);
        try (PreparedStatement update =
                connection.prepareStatement("UPDATE " + table + " SET sent_at = now() WHERE event_id = ANY (?)")) {
            Array array = connection.createArrayOf("uuid", ids);
            update.setArray(1, array);
            update.executeUpdate();
        }
    }

    @Override
    protected void published(List<Outgoing> sent) {
        Instant now = Instant.now();
        for (Outgoing row : sent) {
            lag.record(Duration.between(row.envelope().time().toInstant(), now));
        }
        published.increment(sent.size());
    }

    @Override
    protected void idle(AgroalDataSource dataSource) throws SQLException {
        Instant now = Instant.now();
        if (now.isBefore(nextCleanup)) {
            return;
        }
        nextCleanup = now.plus(CLEANUP_EVERY);
        try (Connection connection = dataSource.getConnection();
                PreparedStatement delete = connection.prepareStatement("DELETE FROM " + table
                        + " WHERE sent_at IS NOT NULL AND sent_at < now() - make_interval(secs => ?)")) {
            delete.setDouble(1, config.outbox().retention().toSeconds());
            int removed = delete.executeUpdate();
            if (removed > 0) {
                LOG.debugf("removed %d published outbox rows past retention", removed);
            }
        }
    }
}
