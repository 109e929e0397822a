package io.devopsconsole.testkit.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Audit ingest and query against a running stack: produces N CloudEvents straight onto
 * {@code console.registry.v1} (so only the audit side is measured), waits until every one is a
 * hash-chained row, reports the sustained ingest rate from the rows' own timestamps, then measures
 * "one resource's latest 100 records" through the API with the table at its new size.
 *
 * <p>{@code java ... AuditIngestBench <bootstrap> <jdbcUrl> <auditUrl> <token> [events=100000] [resources=1000]}
 */
public final class AuditIngestBench {

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String jdbc = args[1];
        String audit = args[2];
        String token = args[3];
        int events = args.length > 4 ? Integer.parseInt(args[4]) : 100_000;
        int resources = args.length > 5 ? Integer.parseInt(args[5]) : 1_000;
        String actor = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        UUID[] ids = new UUID[resources];
        for (int i = 0; i < resources; i++) {
            ids[i] = UUID.randomUUID();
        }

        Properties props = BenchKafka.connection(bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        long produceStart = System.nanoTime();
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < events; i++) {
                UUID project = ids[i % resources];
                String data = "{\"project_id\":\"" + project + "\",\"slug\":\"bench-" + (i % resources)
                        + "\",\"name\":\"Bench\","
                        + "\"description\":null,\"default_working_directory\":\"/srv/bench\",\"version\":"
                        + (i / resources)
                        + ",\"changed_fields\":[\"name\"]}";
                ProducerRecord<String, byte[]> record = new ProducerRecord<>(
                        "console.registry.v1", project.toString(), data.getBytes(StandardCharsets.UTF_8));
                header(record, "ce_specversion", "1.0");
                header(record, "ce_id", UUID.randomUUID().toString());
                header(record, "ce_source", "/registry-service");
                header(record, "ce_type", "io.devopsconsole.registry.project.updated.v1");
                header(record, "ce_subject", project.toString());
                header(record, "ce_time", OffsetDateTime.now(ZoneOffset.UTC).toString());
                header(record, "ce_actor", actor);
                header(record, "content-type", "application/json");
                producer.send(record);
            }
            producer.flush();
        }
        double produceSeconds = (System.nanoTime() - produceStart) / 1e9;
        System.out.printf("produced %d events in %.1f s (%.0f/s)%n", events, produceSeconds, events / produceSeconds);

        try (Connection db = DriverManager.getConnection(
                        jdbc, "postgres", System.getenv().getOrDefault("DEVOPS_PG_PASSWORD", ""));
                Statement st = db.createStatement()) {
            long deadline = System.nanoTime() + Duration.ofMinutes(20).toNanos();
            long stored = 0;
            while (System.nanoTime() < deadline) {
                try (ResultSet rs =
                        st.executeQuery("SELECT count(*) FROM audit.audit_record WHERE actor = '" + actor + "'")) {
                    rs.next();
                    stored = rs.getLong(1);
                }
                if (stored >= events) {
                    break;
                }
                Thread.sleep(500);
            }
            try (ResultSet rs =
                    st.executeQuery("SELECT min(recorded_at), max(recorded_at), count(*) FROM audit.audit_record"
                            + " WHERE actor = '" + actor + "'")) {
                rs.next();
                OffsetDateTime first = rs.getObject(1, OffsetDateTime.class);
                OffsetDateTime last = rs.getObject(2, OffsetDateTime.class);
                double seconds = Duration.between(first, last).toNanos() / 1e9;
                System.out.printf(
                        "ingested %d of %d into hash-chained rows: %.0f events/s sustained (first to last row %.1f s)%n",
                        rs.getLong(3), events, rs.getLong(3) / Math.max(seconds, 0.001), seconds);
            }
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM audit.audit_record")) {
                rs.next();
                System.out.printf("audit_record now holds %d rows%n", rs.getLong(1));
            }
        }

        HttpClient http = Load.client();
        HttpRequest query = HttpRequest.newBuilder(URI.create(
                        audit + "/api/audit/events?resource_type=project&resource_id=" + ids[0] + "&limit=100"))
                .header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(30))
                .GET()
                .build();
        Load.run(http, 500, 8, 200, false, i -> query); // warm-up
        for (int concurrency : new int[] {1, 8}) {
            Load.Result result = Load.run(http, concurrency == 1 ? 1_000 : 3_000, concurrency, 200, false, i -> query);
            System.out.printf(
                    "one resource's latest 100 records (GET /api/audit/events?resource_id=..&limit=100),"
                            + " %d concurrent: %.0f req/s; %s%n",
                    concurrency, result.perSecond(), result.latency());
        }
    }

    private static void header(ProducerRecord<String, byte[]> record, String name, String value) {
        record.headers().add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
