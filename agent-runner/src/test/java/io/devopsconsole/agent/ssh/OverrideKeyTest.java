package io.devopsconsole.agent.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.jcraft.jsch.JSch;
import com.jcraft.jsch.KeyPair;
import io.devopsconsole.agent.SshHostResource;
import io.devopsconsole.agent.inventory.Inventory;
import io.devopsconsole.platform.secrets.SecretRef;
import io.devopsconsole.platform.secrets.SecretStore;
import io.devopsconsole.platform.ssh.PinnedSsh;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A target's override key comes from the secret store by its registry reference and is the key
 * the runner logs in with (Debian OpenSSH on loopback); a missing secret, a reference to another
 * store or an unauthorized key fail clearly.
 */
@QuarkusTest
class OverrideKeyTest {

    @Inject
    SshConnector connector;

    @Inject
    SecretStore secrets;

    static String[] keyPair() throws Exception {
        KeyPair pair = KeyPair.genKeyPair(new JSch(), KeyPair.ECDSA, 256);
        ByteArrayOutputStream priv = new ByteArrayOutputStream();
        pair.writePrivateKey(priv);
        ByteArrayOutputStream pub = new ByteArrayOutputStream();
        pair.writePublicKey(pub, "override-test");
        return new String[] {priv.toString(StandardCharsets.UTF_8), pub.toString(StandardCharsets.UTF_8)};
    }

    Inventory.Target target(String reference) throws IOException {
        return target(reference, "lab");
    }

    Inventory.Target target(String reference, String environment) throws IOException {
        String hostKey = SshHostResource.openssh().hostKeyLine();
        String[] parts = hostKey.split(" ");
        return new Inventory.Target(
                UUID.randomUUID(),
                "override-host",
                "127.0.0.1",
                SshHostResource.openssh().port(),
                "root",
                environment,
                "target_override_key",
                reference,
                io.devopsconsole.platform.validation.HostKeys.fingerprint(parts[0], parts[1])
                        .orElseThrow(),
                hostKey,
                "ready",
                false,
                false);
    }

    @Test
    void theOverrideKeyFromTheSecretStoreIsTheKeyUsed() throws Exception {
        String[] authorized = keyPair();
        String path = "ssh/targets/override-" + UUID.randomUUID().toString().substring(0, 8);
        secrets.put(new SecretRef(path), Map.of("private_key", authorized[0], "environment", "lab"))
                .await()
                .indefinitely();
        SshHostResource.authorizeOnOpenSsh(authorized[1]);
        PinnedSsh.Result ran = connector.run(target("local:" + path), "echo override-ok", Duration.ofSeconds(20));
        assertThat(ran.stdout().strip()).isEqualTo("override-ok");

        // a key the host does not authorize is refused, so the login above really used the stored key
        String[] stranger = keyPair();
        String other = "ssh/targets/stranger-" + UUID.randomUUID().toString().substring(0, 8);
        secrets.put(new SecretRef(other), Map.of("private_key", stranger[0], "environment", "lab"))
                .await()
                .indefinitely();
        assertThatThrownBy(() -> connector.run(target("local:" + other), "echo no", Duration.ofSeconds(20)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("refused the console's SSH key");

        // the key is for lab targets: a production or staging target pointed at it does not log in with it (ADR 0019)
        assertThatThrownBy(
                        () -> connector.run(target("local:" + path, "production"), "echo no", Duration.ofSeconds(20)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("is for lab targets");
        // and a production key is not a lab target's
        String prodPath = "ssh/production/db-" + UUID.randomUUID().toString().substring(0, 8);
        secrets.put(new SecretRef(prodPath), Map.of("private_key", authorized[0], "environment", "production"))
                .await()
                .indefinitely();
        assertThatThrownBy(() -> connector.run(target("local:" + prodPath, "lab"), "echo no", Duration.ofSeconds(20)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("is for production targets");
        assertThat(connector
                        .run(target("local:" + prodPath, "production"), "echo prod-ok", Duration.ofSeconds(20))
                        .stdout()
                        .strip())
                .isEqualTo("prod-ok");
        // a key stored before keys had environments is used by nobody until stored again
        String unscoped = "ssh/targets/old-" + UUID.randomUUID().toString().substring(0, 8);
        secrets.put(new SecretRef(unscoped), Map.of("private_key", authorized[0]))
                .await()
                .indefinitely();
        assertThatThrownBy(() -> connector.run(target("local:" + unscoped), "echo no", Duration.ofSeconds(20)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("without an environment");

        assertThatThrownBy(() -> connector.run(target("local:ssh/targets/missing"), "echo no", Duration.ofSeconds(20)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("is not in the secret store");
        assertThatThrownBy(() -> connector.run(target("vault:" + path), "echo no", Duration.ofSeconds(20)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("'vault' store");
        assertThatThrownBy(() -> connector.run(target("local:../etc/shadow"), "echo no", Duration.ofSeconds(20)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("key reference path");
    }
}
