package io.devopsconsole.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A real single-node Kafka broker (KRaft, broker + controller) in its own JVM, from the jars the
 * build copied to {@code libs/testkit/target/kafka-broker/lib}. Bound to 127.0.0.1 on the ports
 * it is given. It can be stopped and started again on the same ports and data, which is how tests
 * take the broker away under a running service.
 */
public final class KafkaBroker {

    private final Path dataDir;
    private final int port;
    private final int controllerPort;
    private final int partitions;
    private final String heap;
    private Process process;

    public KafkaBroker(Path dataDir, int port, int controllerPort, int partitions, String heap) {
        this.dataDir = dataDir;
        this.port = port;
        this.controllerPort = controllerPort;
        this.partitions = partitions;
        this.heap = heap;
    }

    /** A broker on free ephemeral ports with a fresh data directory. */
    public static KafkaBroker ephemeral() {
        try {
            return new KafkaBroker(Files.createTempDirectory("kafka-test-"), freePort(), freePort(), 1, "384m");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        try {
            Path config = writeConfig();
            if (!Files.exists(dataDir.resolve("logs/meta.properties"))) {
                Process format = java("kafka.tools.StorageTool", "format", "-t", UUID.randomUUID().toString(), "-c",
                        config.toString(), "--ignore-formatted").redirectErrorStream(true)
                        .redirectOutput(dataDir.resolve("format.log").toFile()).start();
                if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
                    throw new IllegalStateException("formatting Kafka storage failed; see " + dataDir.resolve("format.log"));
                }
            }
            process = java("kafka.Kafka", config.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("broker.out").toFile())).start();
            waitUntilListening(Duration.ofSeconds(60));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Stops the broker process and waits for it to exit; data stays for a later {@link #start()}. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    private ProcessBuilder java(String mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + heap);
        command.add("-XX:+UseSerialGC");
        command.add("-Dlog4j2.configurationFile=" + dataDir.resolve("log4j2.properties"));
        command.add("-cp");
        command.add(libDir().resolve("*").toString());
        command.add(mainClass);
        command.addAll(List.of(args));
        return new ProcessBuilder(command).directory(dataDir.toFile());
    }

    private Path writeConfig() throws IOException {
        Files.createDirectories(dataDir);
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("log.dirs", dataDir.resolve("logs").toString());
        p.setProperty("num.partitions", Integer.toString(partitions));
        p.setProperty("auto.create.topics.enable", "true");
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "3");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("default.replication.factor", "1");
        p.setProperty("min.insync.replicas", "1");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        // agent-runners use a 3 s group session timeout so a dead runner's sessions move on quickly (the default floor is 6 s)
        p.setProperty("group.min.session.timeout.ms", "1000");
        p.setProperty("log.retention.hours", "168");
        Path config = dataDir.resolve("server.properties");
        try (var out = Files.newOutputStream(config)) {
            p.store(out, "written by io.devopsconsole.testkit.KafkaBroker");
        }
        Files.writeString(dataDir.resolve("log4j2.properties"), String.join("\n",
                "rootLogger.level=WARN",
                "rootLogger.appenderRef.file.ref=file",
                "appender.file.type=File",
                "appender.file.name=file",
                "appender.file.fileName=" + dataDir.resolve("broker.log"),
                "appender.file.layout.type=PatternLayout",
                "appender.file.layout.pattern=%d %p %c{1} %m%n",
                "logger.kafka.name=kafka.server.KafkaRaftServer",
                "logger.kafka.level=INFO",
                ""));
        return config;
    }

    private void waitUntilListening(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Kafka broker exited with " + process.exitValue() + "; see "
                        + dataDir.resolve("broker.out"));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                TimeUnit.MILLISECONDS.sleep(100);
            }
        }
        throw new IllegalStateException("Kafka broker did not listen on " + port + " within " + timeout);
    }

    /** The broker's jar folder: {@code DEVOPS_KAFKA_LIB} if set, else the one this build copied. */
    public static Path libDir() {
        String configured = System.getenv("DEVOPS_KAFKA_LIB");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        Properties props = new Properties();
        try (InputStream in = KafkaBroker.class.getResourceAsStream("/devops-testkit.properties")) {
            props.load(in);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("devops-testkit.properties is missing from the testkit jar", e);
        }
        Path lib = Path.of(props.getProperty("kafka.broker.lib"));
        if (!Files.isDirectory(lib)) {
            throw new IllegalStateException("Kafka broker jars not found at " + lib + "; build libs/testkit first");
        }
        return lib;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** {@code java ... KafkaBroker <dataDir> <port> <controllerPort> <partitions>}: runs a broker until killed. */
    public static void main(String[] args) throws Exception {
        KafkaBroker broker = new KafkaBroker(Path.of(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]),
                Integer.parseInt(args[3]), args.length > 4 ? args[4] : "512m");
        Runtime.getRuntime().addShutdownHook(new Thread(broker::stop));
        broker.start();
        // scripts/down stops the broker by this PID should this launcher die without its shutdown hook
        Files.writeString(broker.dataDir.resolve("broker.pid"), Long.toString(broker.process.pid()));
        System.out.println("kafka ready on " + broker.bootstrapServers());
        broker.process.waitFor();
    }
}
