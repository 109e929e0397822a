package io.devopsconsole.agent.codex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.devopsconsole.events.registry.RuntimeProfileState.CodexOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LaunchCommandTest {

    @Test
    void onlyTheAllowListedOptionsAppearEachQuotedAsOneArgument() {
        String command = LaunchCommand.build(
                "/opt/codex/bin/codex",
                "/srv/app",
                new CodexOptions("gpt-5-codex", "lab-gw", "https://llm.lab.example:8443/v1", "never", "read-only"));
        assertThat(command)
                .isEqualTo("mkdir -p -- '/srv/app' && cd -- '/srv/app' && exec '/opt/codex/bin/codex' 'app-server'"
                        + " '--listen' 'stdio://' '-c' 'model=\"gpt-5-codex\"' '-c' 'model_provider=\"lab-gw\"'"
                        + " '-c' 'model_providers.lab-gw.name=\"lab-gw\"'"
                        + " '-c' 'model_providers.lab-gw.base_url=\"https://llm.lab.example:8443/v1\"'"
                        + " '-c' 'model_providers.lab-gw.wire_api=\"responses\"' '-c' 'approval_policy=\"never\"'"
                        + " '-c' 'sandbox_mode=\"read-only\"'");
        assertThat(LaunchCommand.build("codex", "/srv/app", null))
                .isEqualTo(
                        "mkdir -p -- '/srv/app' && cd -- '/srv/app' && exec 'codex' 'app-server' '--listen' 'stdio://'");
    }

    @Test
    void untrustedIsNotPutInConfigurationWhereCodexRefusesIt() {
        CodexOptions untrusted = new CodexOptions(null, null, null, "untrusted", null);
        assertThat(LaunchCommand.build("codex", "/srv/app", untrusted)).doesNotContain("approval_policy");
        assertThat(LaunchCommand.threadStartPolicy(untrusted)).isEqualTo("untrusted");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "gpt'; reboot; '",
                "gpt\" -c sandbox_mode=\"danger-full-access",
                "$(id)",
                "`id`",
                "a b",
                "m\nreboot",
                "gpt\\\"",
                "-c"
            })
    void hostileModelsCannotChangeTheCommand(String hostile) {
        assertThatThrownBy(() ->
                        LaunchCommand.build("codex", "/srv/app", new CodexOptions(hostile, null, null, null, null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://x/v1'; reboot #",
                "http://x/v1\" -c approval_policy=\"never",
                "file:///etc/passwd",
                "http://user:secret@x/v1",
                "http://x/v1?key=abc",
                "http://x/$(id)",
                "ftp://x/v1"
            })
    void hostileBaseUrlsCannotChangeTheCommand(String hostile) {
        assertThatThrownBy(() ->
                        LaunchCommand.build("codex", "/srv/app", new CodexOptions(null, "p", hostile, null, null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model_base_url");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"/srv/app'; reboot; '", "/srv/../etc", "relative/dir", "/srv/app dir", "/srv/$(id)", "/srv/-rf"})
    void hostileDirectoriesAreRefused(String hostile) {
        assertThatThrownBy(() -> LaunchCommand.build("codex", hostile, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("working_directory");
    }

    @Test
    void otherFieldsAreCheckedToo() {
        assertThatThrownBy(() ->
                        LaunchCommand.build("codex", "/srv/app", new CodexOptions(null, "Lab GW", null, null, null)))
                .hasMessageContaining("model_provider");
        assertThatThrownBy(() ->
                        LaunchCommand.build("codex", "/srv/app", new CodexOptions(null, null, null, "always", null)))
                .hasMessageContaining("approval_policy");
        assertThatThrownBy(() ->
                        LaunchCommand.build("codex", "/srv/app", new CodexOptions(null, null, null, null, "none")))
                .hasMessageContaining("sandbox_mode");
        assertThatThrownBy(() -> LaunchCommand.build("codex; reboot", "/srv/app", null))
                .hasMessageContaining("codex command");
    }

    @Test
    void quotingKeepsAnyTextOneArgument() {
        assertThat(LaunchCommand.quote("it's")).isEqualTo("'it'\\''s'");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "0123",
                "0123456789abcdef012g",
                "0123456789abcdef0123; rm -rf ~",
                "../../etc/passwd00000",
                "0123456789ABCDEF0123"
            })
    void theCommandsForOneAppServerTakeOnlyAKeyAsTheyMakeIt(String hostile) {
        assertThatThrownBy(() -> LaunchCommand.stopServer(null, hostile)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LaunchCommand.cleanServer(null, hostile)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LaunchCommand.attach("codex", null, hostile))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void cleaningLeavesARunningServerAlone() {
        String clean = LaunchCommand.cleanServer(null, "0123456789abcdef0123");
        // the files go only after the pid is found not running (or not a number)
        assertThat(clean.indexOf("echo alive; exit 0")).isPositive().isLessThan(clean.indexOf("rm -f --"));
        assertThat(clean).doesNotContain("kill \"$pid\" ").doesNotContain("kill -9");
    }
}
