package io.devopsconsole.onboarding.auth;

import static io.devopsconsole.onboarding.e2e.OnboardingJourneyTest.RESPONSES;
import static io.devopsconsole.onboarding.e2e.OnboardingJourneyTest.as;
import static io.devopsconsole.onboarding.e2e.OnboardingJourneyTest.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.jcraft.jsch.JSch;
import com.jcraft.jsch.KeyPair;
import io.devopsconsole.onboarding.e2e.CanaryScan;
import io.devopsconsole.testkit.Sql;
import io.devopsconsole.testkit.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/** Importing auth material and SSH keys: what is accepted, what is refused, and that answers hold metadata only. */
@QuarkusTest
class SecretMaterialTest {

    @jakarta.inject.Inject
    io.devopsconsole.platform.secrets.SecretStore secrets;

    @jakarta.inject.Inject
    io.devopsconsole.onboarding.run.OnboardingService onboarding;

    /** Onboarding logs in to a target with its override key (and the key's environment check), not the control-plane key. */
    @Test
    void onboardingLogsInWithTheTargetsOverrideKey() {
        UUID target = UUID.randomUUID();
        io.devopsconsole.testkit.Sql.exec(
                "INSERT INTO onboarding.target_view (id, name, host, port, username, environment,"
                        + " codex_status, version, key_source, key_reference) VALUES (?, 'keyed', '192.0.2.77', 22, 'root', 'staging',"
                        + " 'unknown', 1, 'target_override_key', 'local:ssh/staging/keyed')",
                target);
        io.devopsconsole.onboarding.run.Run run = new io.devopsconsole.onboarding.run.Run(
                UUID.randomUUID(),
                "probing",
                target,
                "keyed",
                "192.0.2.77",
                22,
                "root",
                "staging",
                null,
                "lan",
                null,
                null,
                null,
                null,
                null,
                "SHA256:x",
                "ssh-ed25519 AAAA",
                null,
                null,
                0,
                "olga",
                null,
                null,
                null,
                0);
        var endpoint = onboarding.endpointOf(run).await().indefinitely();
        assertThat(endpoint.keySource()).isEqualTo("target_override_key");
        assertThat(endpoint.keyReference()).isEqualTo("local:ssh/staging/keyed");
        assertThat(endpoint.environment()).isEqualTo("staging");
        // a run whose target has no override key logs in with the control-plane identity
        var plain = onboarding
                .endpointOf(new io.devopsconsole.onboarding.run.Run(
                        UUID.randomUUID(),
                        "probing",
                        UUID.randomUUID(),
                        "plain",
                        "192.0.2.78",
                        22,
                        "root",
                        "lab",
                        null,
                        "lan",
                        null,
                        null,
                        null,
                        null,
                        null,
                        "SHA256:x",
                        "ssh-ed25519 AAAA",
                        null,
                        null,
                        0,
                        "olga",
                        null,
                        null,
                        null,
                        0))
                .await()
                .indefinitely();
        assertThat(plain.keyReference()).isNull();
    }

    static final String SLOTS = "/api/codex-auth/slots";

    @Test
    void authMaterialFromAFileUnderTheImportDirectoryOnly() throws Exception {
        Path imports =
                Path.of(ConfigProvider.getConfig().getValue("devops.onboarding.auth-import-directory", String.class));
        String canary = "CANARY-FILE-" + UUID.randomUUID();
        Path file = Files.writeString(imports.resolve("team.json"), "{\"OPENAI_API_KEY\":\"" + canary + "\"}");
        String name = "file-" + UUID.randomUUID().toString().substring(0, 6);
        JsonPath slot = ok(
                as(Tokens.admin())
                        .body(Map.of("name", name, "path", file.toString()))
                        .post(SLOTS),
                201);
        assertThat(slot.getString("source")).isEqualTo("file");
        assertThat(slot.getInt("size_bytes")).isEqualTo((int) Files.size(file));
        ok(
                as(Tokens.admin())
                        .body(Map.of("name", name, "auth_json", Map.of("k", "v")))
                        .post(SLOTS),
                409);

        Path outside = Files.createTempFile("not-imported", ".json");
        Files.writeString(outside, "{}");
        for (String path : new String[] {
            "/etc/passwd",
            outside.toString(),
            imports + "/../" + outside.getFileName(),
            imports + "/missing.json",
            imports.toString()
        }) {
            JsonPath refused = ok(
                    as(Tokens.admin())
                            .body(Map.of(
                                    "name",
                                    "bad-" + UUID.randomUUID().toString().substring(0, 6),
                                    "path",
                                    path))
                            .post(SLOTS),
                    400);
            assertThat(refused.getString("errors[0].field")).as(path).isEqualTo("path");
            // the answer names the setting, never where the import directory is on the console host
            assertThat(refused.prettify()).as(path).doesNotContain(imports.toString());
        }
        Path link = imports.resolve("link.json");
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, outside);
        ok(
                as(Tokens.admin())
                        .body(Map.of("name", "link-x", "path", link.toString()))
                        .post(SLOTS),
                400);
        Files.writeString(imports.resolve("text.json"), "not json " + canary);
        ok(
                as(Tokens.admin())
                        .body(Map.of(
                                "name",
                                "text-x",
                                "path",
                                imports.resolve("text.json").toString()))
                        .post(SLOTS),
                400);
        ok(
                as(Tokens.admin())
                        .body(Map.of("name", "both-x", "path", file.toString(), "auth_json", Map.of()))
                        .post(SLOTS),
                400);
        ok(
                as(Tokens.admin())
                        .body(Map.of("name", "Upper Case", "auth_json", Map.of()))
                        .post(SLOTS),
                400);
        ok(
                as(Tokens.admin())
                        .body(Map.of("name", "array-x", "auth_json", new int[] {1}))
                        .post(SLOTS),
                400);

        // metadata only, for every reader
        JsonPath read = ok(as(Tokens.viewer()).get(SLOTS + "/" + slot.getString("id")), 200);
        assertThat(read.getMap("")).doesNotContainKeys("auth_json", "content", "material");
        ok(as(Tokens.admin()).delete(SLOTS + "/" + slot.getString("id")), 204);
        ok(as(Tokens.viewer()).get(SLOTS + "/" + slot.getString("id")), 404);
        assertThat(Sql.count(
                        "SELECT count(*) FROM secrets.secret_entry WHERE path = ?", slot.getString("secret_reference")))
                .isZero();
        assertThat(CanaryScan.locations(canary, RESPONSES)).isEmpty();
    }

    @Test
    void sshOverrideKeysAreStoredByReferenceAndAnsweredWithTheirPublicHalf() throws Exception {
        KeyPair pair = KeyPair.genKeyPair(new JSch(), KeyPair.ECDSA, 256);
        ByteArrayOutputStream priv = new ByteArrayOutputStream();
        pair.writePrivateKey(priv);
        String privateKey = priv.toString(StandardCharsets.UTF_8);
        String reference =
                "local:ssh/targets/web-" + UUID.randomUUID().toString().substring(0, 6);
        ok(
                as(Tokens.operator())
                        .body(Map.of(
                                "reference",
                                reference,
                                "private_key",
                                privateKey,
                                "environment",
                                "lab",
                                "confirm",
                                true))
                        .post("/api/ssh-keys"),
                403);
        assertThat(ok(
                                as(Tokens.admin())
                                        .body(Map.of(
                                                "reference",
                                                reference,
                                                "private_key",
                                                privateKey,
                                                "environment",
                                                "lab"))
                                        .post("/api/ssh-keys"),
                                400)
                        .getString("errors[0].field"))
                .isEqualTo("confirm");
        // a key is stored for one environment (ADR 0019): none, or an unknown one, is refused naming the field
        assertThat(ok(
                                as(Tokens.admin())
                                        .body(Map.of(
                                                "reference", reference, "private_key", privateKey, "confirm", true))
                                        .post("/api/ssh-keys"),
                                400)
                        .getString("errors[0].field"))
                .isEqualTo("environment");
        assertThat(ok(
                                as(Tokens.admin())
                                        .body(Map.of(
                                                "reference",
                                                reference,
                                                "private_key",
                                                privateKey,
                                                "environment",
                                                "prod",
                                                "confirm",
                                                true))
                                        .post("/api/ssh-keys"),
                                400)
                        .getString("errors[0].field"))
                .isEqualTo("environment");
        JsonPath stored = ok(
                as(Tokens.admin())
                        .body(Map.of(
                                "reference",
                                reference,
                                "private_key",
                                privateKey,
                                "environment",
                                "production",
                                "confirm",
                                true))
                        .post("/api/ssh-keys"),
                200);
        assertThat(stored.getString("environment")).isEqualTo("production");
        assertThat(secrets.get(new io.devopsconsole.platform.secrets.SecretRef(reference.substring("local:".length())))
                        .await()
                        .indefinitely()
                        .orElseThrow())
                .containsEntry("environment", "production");
        assertThat(stored.getString("key_type")).isEqualTo("ecdsa-sha2-nistp256");
        assertThat(stored.getString("public_key_fingerprint")).startsWith("SHA256:");
        assertThat(stored.getString("public_key")).startsWith("ecdsa-sha2-nistp256 ");
        // outside the ssh/ namespace: a Codex auth slot, or any other secret, can never be named or overwritten
        for (String bad : new String[] {
            "vault:ssh/x",
            "ssh/x",
            "local:../x",
            "local:SSH/X",
            "local:codex-auth/slot-1",
            "local:deploy-key",
            "local:ssh"
        }) {
            assertThat(ok(
                                    as(Tokens.admin())
                                            .body(Map.of(
                                                    "reference",
                                                    bad,
                                                    "private_key",
                                                    privateKey,
                                                    "environment",
                                                    "lab",
                                                    "confirm",
                                                    true))
                                            .post("/api/ssh-keys"),
                                    400)
                            .getString("errors[0].field"))
                    .as(bad)
                    .isEqualTo("reference");
        }
        assertThat(ok(
                                as(Tokens.admin())
                                        .body(Map.of(
                                                "reference",
                                                reference,
                                                "private_key",
                                                "-----BEGIN nonsense",
                                                "environment",
                                                "lab",
                                                "confirm",
                                                true))
                                        .post("/api/ssh-keys"),
                                400)
                        .getString("errors[0].field"))
                .isEqualTo("private_key");
        String body = privateKey
                .lines()
                .filter(l -> !l.startsWith("-----"))
                .findFirst()
                .orElseThrow();
        assertThat(CanaryScan.locations(body, RESPONSES)).isEmpty();
        ok(as(Tokens.admin()).delete("/api/ssh-keys?confirm=true&reference=" + reference), 204);
        ok(as(Tokens.admin()).delete("/api/ssh-keys?confirm=true&reference=" + reference), 404);
    }
}
