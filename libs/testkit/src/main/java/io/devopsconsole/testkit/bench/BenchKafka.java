package io.devopsconsole.testkit.bench;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * How the benchmarks' own Kafka clients (inventory producer, stream tails) reach the stack's broker:
 * the broker list, plus — on a secured stack — the settings in the properties file named by
 * {@code DEVOPS_BENCH_KAFKA_PROPERTIES} (scripts/bench writes it: SASL_SSL as the broker's super user).
 */
final class BenchKafka {

    private BenchKafka() {}

    static Properties connection(String bootstrap) {
        Properties props = new Properties();
        String file = System.getenv("DEVOPS_BENCH_KAFKA_PROPERTIES");
        if (file != null && !file.isBlank()) {
            try (Reader in = Files.newBufferedReader(Path.of(file))) {
                props.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        props.put("bootstrap.servers", bootstrap);
        return props;
    }
}
