package io.devopsconsole.audit.record;

import io.agroal.api.AgroalDataSource;
import io.devopsconsole.events.CloudEventCodec;
import io.devopsconsole.events.EventEnvelope;
import io.devopsconsole.events.EventJson;
import io.devopsconsole.events.Topics;
import io.devopsconsole.events.audit.AuditRecorded;
import io.devopsconsole.platform.outbox.JdbcRelay;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.io.IOException;
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
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Publishes every stored record, normalized and redacted, to {@code console.audit.v1} (key =
 * resource id) by tailing the log: records after the last published seq, in seq order, then the
 * new position in the same transaction. The CloudEvent id is the record id, so a batch re-sent
 * after a crash is recognisable downstream.
 */
@Singleton // not proxied: the relay loop lives in a superclass with final state
public class AuditPublisher extends JdbcRelay {

    private final String schema;
    private final int batchSize;
    private final boolean enabled;
    private final Counter published;
    private final Timer lag;
    /** The seq of the last record claimed by the running batch (the relay thread is the only caller). */
    private long claimedThrough;

    public AuditPublisher(
            AgroalDataSource dataSource,
            MeterRegistry meters,
            @ConfigProperty(name = "devops.schema") String schema,
            @ConfigProperty(name = "devops.outbox.enabled", defaultValue = "true") boolean enabled,
            @ConfigProperty(name = "devops.outbox.batch-size", defaultValue = "500") int batchSize,
            @ConfigProperty(name = "devops.outbox.poll-interval", defaultValue = "2s") Duration pollInterval,
            @ConfigProperty(name = "devops.outbox.send-timeout", defaultValue = "10s") Duration sendTimeout,
            io.devopsconsole.platform.messaging.KafkaClients kafka) {
        super(
                dataSource,
                "audit-publisher",
                schema + ".audit_publication",
                schema + "_records",
                kafka,
                "audit-service-publisher",
                pollInterval,
                sendTimeout,
                Counter.builder("audit.publish.failures")
                        .description("Publication batches that failed and will be retried")
                        .register(meters));
        this.schema = schema;
        this.batchSize = batchSize;
        this.enabled = enabled;
        this.published = Counter.builder("audit.records.published")
                .description("Audit records published to console.audit.v1")
                .register(meters);
        this.lag = Timer.builder("audit.publish.lag")
                .description("Time from storing a record to publishing it")
                .publishPercentiles(0.5, 0.99)
                .register(meters);
    }

    void start(@Observes StartupEvent event) {
        if (enabled) {
            startRelay();
        }
    }

    void stop(@Observes ShutdownEvent event) {
        stopRelay();
    }

    @Override
    protected int batchSize() {
        return batchSize;
    }

    @Override
    protected List<Outgoing> claim(Connection connection) throws SQLException {
        String sql = "SELECT r.* FROM " + schema + ".audit_record r WHERE r.seq > (SELECT last_seq FROM " + schema
                + ".audit_publication) ORDER BY r.seq LIMIT ?";
        List<Outgoing> out = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            select.setInt(1, batchSize);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    out.add(new Outgoing(Topics.AUDIT, envelope(rs)));
                }
            }
        }
        return out;
    }

    private EventEnvelope envelope(ResultSet rs) throws SQLException {
        UUID recordId = rs.getObject("id", UUID.class);
        OffsetDateTime recordedAt = rs.getObject("recorded_at", OffsetDateTime.class);
        AuditRecorded event;
        try {
            event = new AuditRecorded(
                    recordId,
                    rs.getObject("event_id", UUID.class),
                    rs.getObject("event_time", OffsetDateTime.class),
                    recordedAt,
                    rs.getString("source"),
                    rs.getString("type"),
                    rs.getString("actor"),
                    rs.getString("action"),
                    rs.getString("resource_type"),
                    rs.getString("resource_id"),
                    rs.getString("resource_name"),
                    rs.getString("session_id"),
                    rs.getString("risk"),
                    rs.getString("summary"),
                    EventJson.mapper().readTree(rs.getString("details")),
                    rs.getBoolean("redacted"),
                    rs.getString("hash"),
                    rs.getString("prev_hash"),
                    AuditRecord.originOf(rs.getString("topic")),
                    rs.getString("reported") == null ? null : EventJson.mapper().readTree(rs.getString("reported")));
        } catch (IOException e) {
            throw new SQLException("stored details are not JSON (seq " + rs.getLong("seq") + ")", e);
        }
        claimedThrough = rs.getLong("seq");
        return CloudEventCodec.wrap(recordId, event, "/audit-service", event.actor(), recordedAt, Map.of());
    }

    @Override
    protected void markSent(Connection connection, List<Outgoing> sent) throws SQLException {
        if (sent.isEmpty()) {
            return;
        }
        // the runtime role cannot set the position: it may only move it forward, logged (ADR 0018)
        try (PreparedStatement advance =
                connection.prepareStatement("SELECT " + schema + ".audit_publication_advance(?)")) {
            advance.setLong(1, claimedThrough);
            advance.executeQuery().close();
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
}
