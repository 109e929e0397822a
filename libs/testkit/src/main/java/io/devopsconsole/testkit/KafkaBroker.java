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
import java.util.Map;
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
    /** Null: one plaintext listener. Otherwise the only client listener is SASL_SSL with SCRAM-SHA-512 users and ACLs. */
    private final Secured secured;

    private Process process;

    /** The secured broker's credentials: its super user's password and its TLS key and certificate. */
    private record Secured(String adminPassword, Path keystore, Path certificate, List<String> hostNames) {}

    public KafkaBroker(Path dataDir, int port, int controllerPort, int partitions, String heap) {
        this(dataDir, port, controllerPort, partitions, heap, null);
    }

    private KafkaBroker(Path dataDir, int port, int controllerPort, int partitions, String heap, Secured secured) {
        this.secured = secured;
        this.dataDir = dataDir;
        this.port = port;
        this.controllerPort = controllerPort;
        this.partitions = partitions;
        this.heap = heap;
    }

    /**
     * A broker on free ephemeral ports with a fresh data directory, which is deleted when the JVM exits
     * (the broker is stopped first).
     */
    public static KafkaBroker ephemeral() {
        try {
            KafkaBroker broker =
                    new KafkaBroker(Files.createTempDirectory("kafka-test-"), freePort(), freePort(), 1, "384m");
            broker.deleteOnExit();
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A broker that accepts clients only over SASL_SSL (SCRAM-SHA-512; a self-signed certificate
     * for 127.0.0.1, its PEM in {@link #certificate()}), authorizes with ACLs and denies what no
     * ACL allows; {@code admin} is its super user. Users and their ACLs: {@link #createUser}.
     */
    public static KafkaBroker securedEphemeral() {
        try {
            return secured(freePort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A secured broker (see {@link #securedEphemeral()}) whose client listener is on {@code port} and
     * whose certificate also names {@code hostNames} (as a cluster's broker certificate names its
     * service address).
     */
    public static KafkaBroker secured(int port, String... hostNames) {
        try {
            Path dir = Files.createTempDirectory("kafka-secured-");
            String password = java.util.UUID.randomUUID().toString();
            KafkaBroker broker = new KafkaBroker(
                    dir,
                    port,
                    freePort(),
                    1,
                    "384m",
                    new Secured(password, dir.resolve("broker.p12"), dir.resolve("ca.pem"), List.of(hostNames)));
            broker.deleteOnExit();
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A secured broker kept in {@code dataDir} across restarts (its key, certificate and metadata), whose
     * super user {@code admin} has {@code adminPassword} (the local stack's secured variant).
     */
    public static KafkaBroker secured(
            Path dataDir, int port, int controllerPort, int partitions, String heap, String adminPassword) {
        return new KafkaBroker(
                dataDir,
                port,
                controllerPort,
                partitions,
                heap,
                new Secured(adminPassword, dataDir.resolve("broker.p12"), dataDir.resolve("ca.pem"), List.of()));
    }

    /** A test broker's data is gone when its JVM ends: hundreds of test runs otherwise fill the disk. */
    private void deleteOnExit() {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop();
            try (var paths = Files.walk(dataDir)) {
                paths.sorted(java.util.Comparator.reverseOrder())
                        .forEach(path -> path.toFile().delete());
            } catch (IOException | UncheckedIOException ignored) {
                // best effort at JVM exit
            }
        }));
    }

    /** The data directory (broker log, PID file, a secured broker's certificate). */
    public Path dataDir() {
        return dataDir;
    }

    /** The broker process (the launcher waits for it). */
    Process process() {
        return process;
    }

    /** The PEM certificate clients trust (secured brokers). */
    public Path certificate() {
        return secured.certificate();
    }

    /**
     * What a client needs to reach a secured broker as {@code user}: the {@code kafka.*} settings
     * (without the prefix), as the services take them.
     */
    public Map<String, String> clientSettings(String user, String password) {
        return Map.of(
                "bootstrap.servers",
                bootstrapServers(),
                "security.protocol",
                "SASL_SSL",
                "sasl.mechanism",
                "SCRAM-SHA-512",
                "sasl.jaas.config",
                jaas(user, password),
                "ssl.truststore.type",
                "PEM",
                "ssl.truststore.location",
                secured.certificate().toString());
    }

    /** Creates (or re-keys) a SCRAM user and gives it exactly these ACLs (through the super user). */
    public void createUser(
            String user, String password, java.util.Collection<org.apache.kafka.common.acl.AclBinding> acls) {
        Properties props = new Properties();
        props.putAll(clientSettings("admin", secured.adminPassword()));
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(props)) {
            admin.alterUserScramCredentials(List.of(new org.apache.kafka.clients.admin.UserScramCredentialUpsertion(
                            user,
                            new org.apache.kafka.clients.admin.ScramCredentialInfo(
                                    org.apache.kafka.clients.admin.ScramMechanism.SCRAM_SHA_512, 8192),
                            password)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            if (!acls.isEmpty()) {
                admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not create Kafka user " + user, e);
        }
    }

    /** Creates a topic (secured brokers do not create topics on first use). */
    public void createTopic(String topic, int partitions) {
        Properties props = new Properties();
        props.putAll(
                secured == null
                        ? Map.of("bootstrap.servers", bootstrapServers())
                        : clientSettings("admin", secured.adminPassword()));
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(props)) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, partitions, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                throw new IllegalStateException("could not create topic " + topic, e);
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not create topic " + topic, e);
        }
    }

    private static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\""
                + password + "\";";
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
                List<String> args = new ArrayList<>(List.of(
                        "format", "-t", UUID.randomUUID().toString(), "-c", config.toString(), "--ignore-formatted"));
                if (secured != null) {
                    // the super user's SCRAM credential exists from the first start (KRaft keeps credentials in
                    // metadata)
                    args.addAll(List.of(
                            "--add-scram", "SCRAM-SHA-512=[name=admin,password=" + secured.adminPassword() + "]"));
                }
                Process format = java("kafka.tools.StorageTool", args.toArray(String[]::new))
                        .redirectErrorStream(true)
                        .redirectOutput(dataDir.resolve("format.log").toFile())
                        .start();
                if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
                    throw new IllegalStateException(
                            "formatting Kafka storage failed; see " + dataDir.resolve("format.log"));
                }
            }
            // A port in the kernel's ephemeral range (32768-60999) can be held for a moment by an outgoing
            // connection of any process, and a broker started then exits at bind. So the broker starts once both
            // ports are free (a minute at most), and if it still exits before it listens it is started again (the
            // storage is formatted already), three times at most.
            for (int attempt = 1; ; attempt++) {
                waitUntilBindable(Duration.ofSeconds(60));
                process = java("kafka.Kafka", config.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(
                                dataDir.resolve("broker.out").toFile()))
                        .start();
                try {
                    waitUntilListening(Duration.ofSeconds(60));
                    break;
                } catch (BrokerExited e) {
                    if (attempt == 3) {
                        throw e;
                    }
                    System.err.println(e.getMessage() + " (attempt " + attempt + " of 3); starting it again");
                    TimeUnit.SECONDS.sleep(2);
                }
            }
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
        // agent-runners use a 3 s group session timeout so a dead runner's sessions move on quickly (the default floor
        // is 6 s)
        p.setProperty("group.min.session.timeout.ms", "1000");
        p.setProperty("log.retention.hours", "168");
        if (secured != null) {
            certificate(secured);
            p.setProperty("listeners", "SASL_SSL://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
            p.setProperty("advertised.listeners", "SASL_SSL://127.0.0.1:" + port);
            p.setProperty("inter.broker.listener.name", "SASL_SSL");
            p.setProperty("listener.security.protocol.map", "SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT");
            p.setProperty("sasl.enabled.mechanisms", "SCRAM-SHA-512");
            p.setProperty("sasl.mechanism.inter.broker.protocol", "SCRAM-SHA-512");
            p.setProperty(
                    "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config", jaas("admin", secured.adminPassword()));
            p.setProperty("ssl.keystore.type", "PKCS12");
            p.setProperty("ssl.keystore.location", secured.keystore().toString());
            p.setProperty("ssl.keystore.password", secured.adminPassword());
            p.setProperty("ssl.truststore.type", "PEM");
            p.setProperty("ssl.truststore.location", secured.certificate().toString());
            p.setProperty("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
            // the broker reaches its own controller over the loopback controller listener (as ANONYMOUS)
            p.setProperty("super.users", "User:admin;User:ANONYMOUS");
            p.setProperty("allow.everyone.if.no.acl.found", "false");
            p.setProperty("auto.create.topics.enable", "false");
        }
        Path config = dataDir.resolve("server.properties");
        try (var out = Files.newOutputStream(config)) {
            p.store(out, "written by io.devopsconsole.testkit.KafkaBroker");
        }
        Files.writeString(
                dataDir.resolve("log4j2.properties"),
                String.join(
                        "\n",
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

    /** A self-signed key and certificate for 127.0.0.1 (keytool), and the certificate as PEM for clients. */
    private static void certificate(Secured s) throws IOException {
        if (Files.exists(s.keystore())) {
            return;
        }
        String keytool =
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        StringBuilder san = new StringBuilder("SAN=IP:127.0.0.1,DNS:localhost");
        s.hostNames().forEach(h -> san.append(",DNS:").append(h));
        run(List.of(
                keytool,
                "-genkeypair",
                "-alias",
                "broker",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-dname",
                "CN=localhost",
                "-ext",
                san.toString(),
                "-validity",
                "30",
                "-storetype",
                "PKCS12",
                "-keystore",
                s.keystore().toString(),
                "-storepass",
                s.adminPassword(),
                "-keypass",
                s.adminPassword()));
        run(List.of(
                keytool,
                "-exportcert",
                "-alias",
                "broker",
                "-rfc",
                "-keystore",
                s.keystore().toString(),
                "-storepass",
                s.adminPassword(),
                "-file",
                s.certificate().toString()));
    }

    private static void run(List<String> command) throws IOException {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(command.get(0) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** The broker process ended before it listened. */
    private static final class BrokerExited extends IllegalStateException {
        BrokerExited(String message) {
            super(message);
        }
    }

    private void waitUntilListening(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new BrokerExited("Kafka broker exited with " + process.exitValue() + "; see "
                        + dataDir.resolve("broker.out") + " and " + dataDir.resolve("broker.log") + lastErrors());
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

    /** Waits until nothing holds the client or the controller port on 127.0.0.1 (or the time is up). */
    private void waitUntilBindable(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int p : new int[] {port, controllerPort}) {
            while (!bindable(p) && System.nanoTime() < deadline) {
                System.err.println("Kafka port " + p + " is in use; waiting for it to be free");
                TimeUnit.SECONDS.sleep(1);
            }
        }
    }

    private static boolean bindable(int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException inUse) {
            return false;
        }
    }

    /** The broker's last error lines (from its log and its output), so a failed start says why where it is read. */
    private String lastErrors() {
        List<String> lines = new ArrayList<>();
        for (String file : List.of("broker.log", "broker.out")) {
            try {
                Files.readAllLines(dataDir.resolve(file), java.nio.charset.StandardCharsets.ISO_8859_1).stream()
                        .filter(line -> line.contains("ERROR") || line.contains("Exception") || line.contains("Error"))
                        .forEach(lines::add);
            } catch (IOException | UncheckedIOException unreadable) {
                // nothing to add
            }
        }
        List<String> last = lines.subList(Math.max(0, lines.size() - 8), lines.size());
        return last.isEmpty() ? "" : "\n  " + String.join("\n  ", last);
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
        KafkaBroker broker = new KafkaBroker(
                Path.of(args[0]),
                Integer.parseInt(args[1]),
                Integer.parseInt(args[2]),
                Integer.parseInt(args[3]),
                args.length > 4 ? args[4] : "512m");
        Runtime.getRuntime().addShutdownHook(new Thread(broker::stop));
        broker.start();
        // scripts/down stops the broker by this PID should this launcher die without its shutdown hook
        Files.writeString(broker.dataDir.resolve("broker.pid"), Long.toString(broker.process.pid()));
        System.out.println("kafka ready on " + broker.bootstrapServers());
        broker.process.waitFor();
    }
}
