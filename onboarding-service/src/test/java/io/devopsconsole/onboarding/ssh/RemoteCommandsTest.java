package io.devopsconsole.onboarding.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile values for every field that reaches a remote command line. Interface names and config
 * paths are the only variable parts: anything outside their patterns is refused before a command
 * exists; what passes is single-quoted and appears exactly once, so the command is the fixed
 * string with the value in its one place. (Hosts, ports and user names never reach a shell: they
 * are JSch connection parameters, validated at intake; the user name only chooses {@code sudo -n}.)
 */
class RemoteCommandsTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "wg0; reboot",
                "wg0$(id)",
                "wg0`id`",
                "wg0'x",
                "wg0\"x",
                "wg0\nreboot",
                "wg0 && id",
                "wg0|id",
                "wg0>x",
                "wg0\\x",
                "wg0\u0000",
                "wg 0",
                "wg0;",
                "$HOME",
                "*",
                "~root",
                "wg0#",
                "",
                "sixteen-chars-xx",
                "../wg0"
            })
    void hostileInterfaceNamesAreRefusedBeforeAnyCommandExists(String name) {
        assertThatThrownBy(() -> RemoteCommands.wireguardUp("root", name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("interface_name:");
        assertThatThrownBy(() -> RemoteCommands.wireguardDown("ops", name))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RemoteCommands.wireguardStatus("ops", name))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RemoteCommands.wireguardExists("ops", name))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/etc/wireguard/wg0.conf; reboot",
                "/etc/wireguard/$(id).conf",
                "/etc/wireguard/`id`",
                "/etc/wireguard/wg0'.conf",
                "/etc/wireguard/wg 0.conf",
                "/etc/wireguard/../shadow",
                "/etc/./wireguard/wg0.conf",
                "etc/wireguard/wg0.conf",
                "/etc/wireguard/wg0.conf\n",
                "/etc/wireguard/*",
                "~/wg0.conf",
                "/etc/wireguard/",
                "/etc/wireguard/wg0.conf|id",
                "/etc/wireguard/.",
                "/",
                "//etc/wg0.conf",
                "/etc/wireguard/-rf",
                ""
            })
    void hostileConfigPathsAreRefused(String path) {
        assertThatThrownBy(() -> RemoteCommands.wireguardCheck(path))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("config_path:");
    }

    @Test
    void acceptedValuesAppearOnceAndQuotedInTheFixedCommand() {
        assertThat(RemoteCommands.wireguardUp("root", "wg-12alder")).isEqualTo("wg-quick up 'wg-12alder'");
        assertThat(RemoteCommands.wireguardUp("ops", "wg_lab.1")).isEqualTo("sudo -n wg-quick up 'wg_lab.1'");
        assertThat(RemoteCommands.wireguardDown("ops", "wg0")).isEqualTo("sudo -n wg-quick down 'wg0'");
        assertThat(RemoteCommands.wireguardExists("root", "wg0")).isEqualTo("wg show 'wg0' peers");
        String check = RemoteCommands.wireguardCheck("/etc/wireguard/wg-12alder.conf");
        assertThat(check).startsWith("f='/etc/wireguard/wg-12alder.conf'; ");
        assertThat(check.split("wg-12alder", -1)).hasSize(2);
        // the rest of the command never changes with the value
        assertThat(check.replace("/etc/wireguard/wg-12alder.conf", "X"))
                .isEqualTo(RemoteCommands.wireguardCheck("/srv/x.conf").replace("/srv/x.conf", "X"));
    }

    @Test
    void theUserNameOnlyChoosesSudoAndNeverEntersACommand() {
        for (String user : List.of("root", "ops", "root; reboot", "$(id)", "ROOT")) {
            List<String> install = RemoteCommands.installSequence(user);
            String prefix = "root".equals(user) ? "" : "sudo -n ";
            assertThat(install)
                    .containsExactly(
                            prefix + "apt update",
                            prefix + "apt install -y nodejs npm bubblewrap",
                            prefix + "npm install -g @openai/codex",
                            "codex --version",
                            "bwrap --version");
            assertThat(RemoteCommands.wireguardInstall(user))
                    .containsExactly(prefix + "apt update", prefix + "apt install -y wireguard wireguard-tools");
        }
    }

    @Test
    void authIsWrittenPrivatelyAndAtomically() {
        assertThat(RemoteCommands.PROVISION_AUTH)
                .contains("umask 077")
                .contains("chmod 600")
                .contains("mv -f")
                .contains("\"$HOME/.codex/auth.json\"");
    }

    @Test
    void factsAndSectionsParseOnlyWhatTheCommandsPrint() {
        assertThat(RemoteCommands.facts("hostname=lab-1\nwhoami=ops\nnoise\ncodex=\n"))
                .containsEntry("hostname", "lab-1")
                .containsEntry("whoami", "ops")
                .containsEntry("codex", "")
                .doesNotContainKey("noise");
        assertThat(RemoteCommands.sections("#handshakes\nk=\t1\n#transfer\nk=\t2\t3\n"))
                .containsOnlyKeys("handshakes", "transfer");
    }
}
