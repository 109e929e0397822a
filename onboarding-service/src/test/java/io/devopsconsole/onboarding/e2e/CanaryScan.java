package io.devopsconsole.onboarding.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.devopsconsole.testkit.Sql;
import io.devopsconsole.testkit.TestInfrastructure;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Looks for a planted secret everywhere it must not be: every row of every table in the database
 * (bytea decoded as text; the secret store's ciphertext cannot match), every record on every
 * console topic, both services' logs, and the API answers the test collected.
 */
public final class CanaryScan {

    private CanaryScan() {}

    /**
     * The canary is nowhere; {@code control} (a value that belongs in rows, events, logs and answers,
     * such as the target's name) is found in each kind of place, so the scan itself is shown to look.
     */
    static void assertNowhere(String canary, String control, List<String> responses) throws Exception {
        List<String> seen = locations(control, responses);
        assertThat(seen)
                .as("the control value is found by every part of the scan")
                .anyMatch(l -> l.startsWith("table "))
                .anyMatch(l -> l.startsWith("topic "))
                .anyMatch(l -> l.startsWith("log "))
                .anyMatch(l -> l.startsWith("API "));
        assertThat(locations(canary, responses)).as("places the canary reached").isEmpty();
        // and it is where it belongs, encrypted: the store holds ciphertext, not the text
        assertThat(Sql.count("SELECT count(*) FROM secrets.secret_entry WHERE path LIKE 'codex-auth/%'"))
                .isGreaterThan(0);
    }

    public static List<String> locations(String canary, List<String> responses) throws Exception {
        List<String> found = new ArrayList<>();
        // tables
        for (Map<String, Object> t : Sql.rows("SELECT table_schema, table_name FROM information_schema.tables"
                + " WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')")) {
            String table = "\"" + t.get("table_schema") + "\".\"" + t.get("table_name") + "\"";
            for (Map<String, Object> row : Sql.rows("SELECT * FROM " + table)) {
                for (Map.Entry<String, Object> cell : row.entrySet()) {
                    Object v = cell.getValue();
                    String text = v instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(v);
                    if (text.contains(canary)) {
                        found.add("table " + table + " column " + cell.getKey());
                    }
                }
            }
        }
        // topics (the outbox relays publish within a second)
        Thread.sleep(1000);
        Properties props = new Properties();
        props.put(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                TestInfrastructure.kafka().bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "canary-scan-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        int records = 0;
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(Pattern.compile("console\\..*"));
            long quietUntil = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (System.nanoTime() < quietUntil) {
                var batch = consumer.poll(Duration.ofMillis(500));
                if (!batch.isEmpty()) {
                    quietUntil = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                }
                for (ConsumerRecord<byte[], byte[]> r : batch) {
                    records++;
                    String value = r.value() == null ? "" : new String(r.value(), StandardCharsets.UTF_8);
                    if (value.contains(canary)) {
                        found.add("topic " + r.topic() + " offset " + r.offset());
                    }
                }
            }
        }
        assertThat(records).as("records scanned on the console topics").isPositive();
        // logs (the registry's only once a test started it)
        assertThat(Path.of("target/onboarding-service-test.log")).exists();
        for (Path log :
                List.of(Path.of("target/onboarding-service-test.log"), Path.of("target/registry-service.log"))) {
            if (Files.exists(log) && Files.readString(log).contains(canary)) {
                found.add("log " + log);
            }
        }
        // API answers
        for (String r : responses) {
            if (r.contains(canary)) {
                found.add("API answer " + r.substring(0, Math.min(200, r.length())));
            }
        }
        return found;
    }
}
