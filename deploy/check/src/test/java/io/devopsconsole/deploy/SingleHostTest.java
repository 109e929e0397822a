package io.devopsconsole.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The single-host install (deploy/systemd) without a host to spare: the installer runs into a
 * scratch root (twice), and its units pass {@code systemd-analyze verify} there without a warning.
 */
class SingleHostTest {

    @TempDir
    static Path root;

    static String firstSecrets;

    static final Path INSTALL = Rendered.ROOT.resolve("deploy/systemd/install");

    @BeforeAll
    static void installTwice() throws IOException {
        List<String> command = List.of(
                INSTALL.toString(),
                "--root",
                root.toString(),
                "--console-host",
                "console.test.example",
                "--login-host",
                "login.test.example",
                "--no-artifacts");
        Rendered.run(command, Rendered.ROOT);
        firstSecrets = Files.readString(root.resolve("etc/devops-console/secrets.env"));
        Rendered.run(command, Rendered.ROOT);
    }

    @Test
    void usersDirectoriesAndSecretsAreLockedDownAndKeptOnReRuns() throws IOException {
        assertThat(Files.readString(root.resolve("etc/passwd")))
                .contains(
                        "devops-registry:",
                        "devops-session:",
                        "devops-agent:",
                        "devops-audit:",
                        "devops-ui:",
                        "devops-kafka:",
                        "devops-keycloak:")
                .contains("/usr/sbin/nologin");
        assertThat(mode("etc/devops-console")).isEqualTo("rwxr-x---");
        assertThat(mode("etc/devops-console/secrets.env")).isEqualTo("rw-------");
        assertThat(mode("etc/devops-console/common.env")).isEqualTo("rw-r-----");
        assertThat(mode("etc/devops-console/ssh/control-plane_ed25519")).isEqualTo("rw-------");
        assertThat(mode("var/lib/devops-console/install/postgres.sql")).isEqualTo("rw-------");
        for (String s : ManifestsTest.SERVICES) {
            assertThat(mode("etc/devops-console/" + s + ".env")).as(s).isEqualTo("rw-------");
            assertThat(mode("var/lib/devops-console/" + s)).as(s).isEqualTo("rwx------");
        }
        assertThat(Files.readString(root.resolve("etc/devops-console/secrets.env")))
                .as("secrets kept on a re-run")
                .isEqualTo(firstSecrets);
    }

    @Test
    void everyServiceGetsTheSettingsScriptsUpGivesItUnderTheSameNames() throws IOException {
        Properties common = env("common.env");
        // the single host's broker listens on loopback only (plaintext); its security settings are not needed
        for (Map.Entry<String, Set<String>> e : Settings.byService(false).entrySet()) {
            Properties own = env(e.getKey() + ".env");
            Set<String> given = new TreeSet<>(common.stringPropertyNames());
            given.addAll(own.stringPropertyNames());
            assertThat(given).as(e.getKey()).containsAll(e.getValue());
        }
        assertThat(env("audit-service.env").getProperty("QUARKUS_DATASOURCE_USERNAME"))
                .isEqualTo("audit_writer");
        assertThat(env("audit-service.env").getProperty("QUARKUS_FLYWAY_USERNAME"))
                .isEqualTo("audit_owner");
        assertThat(common.getProperty("QUARKUS_OIDC_AUTH_SERVER_URL"))
                .isEqualTo("https://login.test.example/realms/devops-console");
    }

    @Test
    void noSecretLeavesTheFilesMeantForIt() throws IOException {
        Properties secrets = env("secrets.env");
        List<Path> public_ = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root.resolve("etc/systemd/system"))) {
            files.filter(Files::isRegularFile).forEach(public_::add);
        }
        public_.add(root.resolve("etc/nginx/sites-available/devops-console.conf"));
        public_.add(root.resolve("etc/devops-console/common.env"));
        public_.add(root.resolve("etc/devops-console/kafka/server.properties"));
        for (Path f : public_) {
            String text = Files.readString(f);
            for (String name : secrets.stringPropertyNames()) {
                assertThat(text).as(f + " holds " + name).doesNotContain(secrets.getProperty(name));
            }
        }
    }

    @Test
    void theRealmTheDatabaseAndTheFrontNameThisHost() throws IOException {
        JsonNode realm = new ObjectMapper()
                .readTree(root.resolve("var/lib/devops-console/install/devops-console-realm.json")
                        .toFile());
        assertThat(realm.path("sslRequired").asText()).isEqualTo("external");
        assertThat(realm.at("/clients/0/redirectUris/0").asText()).isEqualTo("https://console.test.example/*");
        assertThat(realm.toString())
                .doesNotContain(
                        "__CONSOLE_SECRET__",
                        "__AUTOMATION_SECRET__",
                        "__ADMIN_PASSWORD__",
                        "127.0.0.1:__CONSOLE_PORT__");
        assertThat(realm.at("/clients/0/secret").asText())
                .isEqualTo(env("secrets.env").getProperty("CONSOLE_CLIENT_SECRET"));
        String sql = Files.readString(root.resolve("var/lib/devops-console/install/postgres.sql"));
        for (String role : List.of(
                "registry_service",
                "session_service",
                "agent_runner",
                "onboarding_service",
                "audit_owner",
                "audit_writer",
                "keycloak")) {
            assertThat(sql).contains("ALTER ROLE " + role + " LOGIN PASSWORD");
        }
        assertThat(sql).contains("GRANT CREATE ON DATABASE devops TO").doesNotContain("TO audit_writer;\nGRANT CREATE");
        String nginx = Files.readString(root.resolve("etc/nginx/sites-available/devops-console.conf"));
        assertThat(nginx)
                .contains(
                        "server_name console.test.example;", "server_name login.test.example;", "proxy_buffering off;")
                .doesNotContain("__CONSOLE_HOST__");
    }

    /** Each service unit's JVM options start this build's JVM (an unknown or locked option would stop the unit). */
    @Test
    void everyServiceUnitsJvmOptionsAreAccepted() throws IOException {
        for (String s : ManifestsTest.SERVICES) {
            String unit = Files.readString(root.resolve("etc/systemd/system/devops-console-" + s + ".service"));
            Matcher exec =
                    Pattern.compile("(?m)^ExecStart=/usr/bin/java (.*) -jar ").matcher(unit);
            assertThat(exec.find()).as(s + " starts java").isTrue();
            Rendered.jvmAccepts(exec.group(1));
        }
    }

    /** systemd's own verifier, on the installed root: no unknown key, no missing binary, no warning. */
    @Test
    void theUnitsPassSystemdsVerifier() throws IOException {
        Path systemd = Path.of("/usr/lib/systemd/system");
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        if (!Files.isExecutable(analyze)) {
            Rendered.run(List.of("apt-get", "update", "-qq"), Rendered.ROOT);
            Rendered.run(
                    List.of("env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-qq", "systemd"),
                    Rendered.ROOT);
        }
        // what the units need from the host, inside the scratch root: systemd's own units, java, Keycloak's launcher
        Path units = Files.createDirectories(root.resolve("usr/lib/systemd/system"));
        try (Stream<Path> files = Files.list(systemd)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, units.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Path java = Files.createDirectories(root.resolve("usr/bin")).resolve("java");
        Files.copy(Path.of("/usr/bin/java").toRealPath(), java, StandardCopyOption.REPLACE_EXISTING);
        Path kc = Files.createDirectories(root.resolve("opt/devops-console/keycloak/bin"))
                .resolve("kc.sh");
        Files.writeString(kc, "#!/bin/sh\n");
        Files.setPosixFilePermissions(kc, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> command = new ArrayList<>(List.of(analyze.toString(), "--root=" + root, "verify"));
        try (Stream<Path> files = Files.list(root.resolve("etc/systemd/system"))) {
            files.map(p -> p.getFileName().toString()).sorted().forEach(command::add);
        }
        assertThat(command).hasSize(3 + 8);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        try {
            p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        assertThat(out).as("systemd-analyze verify").isEmpty();
        assertThat(p.exitValue()).isZero();
    }

    private static String mode(String path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve(path)));
    }

    private static Properties env(String file) throws IOException {
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(root.resolve("etc/devops-console").resolve(file))) {
            p.load(in);
        }
        return p;
    }
}
