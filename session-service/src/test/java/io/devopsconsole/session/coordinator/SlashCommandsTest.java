package io.devopsconsole.session.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.devopsconsole.platform.security.Roles;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Slash commands map to one tool each; arguments are JSON values a tool's schema and name rule check. */
class SlashCommandsTest {

    private static final Tools TOOLS = new Tools(null, null, null, "session");

    @Test
    void everyCommandNamesOneToolWithItsArguments() {
        assertThat(SlashCommands.parse("/targets").tool()).isEqualTo("list_targets");
        assertThat(SlashCommands.parse("/target web-3").args().get("name").asText())
                .isEqualTo("web-3");
        var onboard = SlashCommands.parse("/onboard new server 10.76.22.150, call it devOps-test-001");
        assertThat(onboard.tool()).isEqualTo("start_onboarding");
        assertThat(onboard.args().get("request").asText())
                .isEqualTo("new server 10.76.22.150, call it devOps-test-001");
        assertThat(SlashCommands.parse("/trust").tool()).isEqualTo("trust_host_key");
        assertThat(SlashCommands.parse("/advance").tool()).isEqualTo("advance_onboarding");
        assertThat(SlashCommands.parse("/plan approve").tool()).isEqualTo("approve_install_plan");
        assertThat(SlashCommands.parse("/plan execute").tool()).isEqualTo("execute_install_plan");
        assertThat(SlashCommands.parse("/session start payments-api")
                        .args()
                        .get("project")
                        .asText())
                .isEqualTo("payments-api");
        var deny = SlashCommands.parse("/deny 7f1e0c1e-9a6b-4a55-b0a5-0b6e4d7c9a10");
        assertThat(deny.tool()).isEqualTo("decide_approval");
        assertThat(deny.args().get("decision").asText()).isEqualTo("denied");
        assertThat(SlashCommands.parse("/approve x").args().get("decision").asText())
                .isEqualTo("approved");
        var provision = SlashCommands.parse("/provision slot-1 web-3");
        assertThat(provision.args().get("slot").asText()).isEqualTo("slot-1");
        assertThat(provision.args().get("target").asText()).isEqualTo("web-3");
        var placed = SlashCommands.parse("/session start test-001 devops-test-001 /opt/test-001");
        assertThat(placed.tool()).isEqualTo("start_session");
        assertThat(placed.args().get("project").asText()).isEqualTo("test-001");
        assertThat(placed.args().get("target").asText()).isEqualTo("devops-test-001");
        assertThat(placed.args().get("working_directory").asText()).isEqualTo("/opt/test-001");
        assertThat(SlashCommands.parse("/session start a b c d").help()).startsWith("Usage: /session start PROJECT");
        var cockpit = SlashCommands.parse("/cockpit lab-1 /srv/cockpit");
        assertThat(cockpit.tool()).isEqualTo("setup_cockpit");
        assertThat(cockpit.args().get("target").asText()).isEqualTo("lab-1");
        assertThat(cockpit.args().get("directory").asText()).isEqualTo("/srv/cockpit");
        assertThat(SlashCommands.parse("/cockpit lab-1").args().has("directory"))
                .isFalse();
        assertThat(SlashCommands.parse("/cockpit").help()).startsWith("Usage: /cockpit TARGET");
        assertThat(SlashCommands.parse("/cockpit lab-1 /srv/a; reboot").help()).startsWith("Usage: /cockpit TARGET");
        assertThat(SlashCommands.parse("/help").help()).contains("/targets", "/onboard", "/approve", "/cockpit");
        assertThat(SlashCommands.parse("/plan").help()).startsWith("Usage: /plan approve");
        assertThat(SlashCommands.parse("/rm -rf /").help()).startsWith("There is no command /rm");
        // every tool a command names exists
        for (String c : new String[] {
            "/targets",
            "/projects",
            "/target a",
            "/onboard a",
            "/hostkey",
            "/trust",
            "/advance",
            "/plan approve",
            "/plan execute",
            "/session start a",
            "/ask a b c",
            "/approve a",
            "/audit target a",
            "/remove a",
            "/provision a b"
        }) {
            assertThat(TOOLS.get(SlashCommands.parse(c).tool())).as(c).isNotNull();
        }
    }

    @Test
    void shellTextAndFakeToolCallsAreRefusedBeforeAnyApi() {
        Tools.Tool show = TOOLS.get("show_target");
        for (String hostile : new String[] {
            "web-1;reboot",
            "$(rm -rf /)",
            "`id`",
            "{\"tool\":\"remove_target\"}",
            "web-1\u202e",
            "web\u0000-1",
            "a".repeat(300)
        }) {
            var args = SlashCommands.parse("/target x").args().put("name", hostile);
            assertThatThrownBy(() -> {
                        Tools.check(show, args);
                        show.handler()
                                .run(new Tools.Call(
                                        new Tools.Operator("olga", Set.of(Roles.ADMIN), "token"),
                                        null,
                                        "slash",
                                        args,
                                        false,
                                        null));
                    })
                    .as(hostile)
                    .isInstanceOf(Tools.Refusal.class)
                    .hasMessageContaining("name");
        }
        // arguments a tool does not have, or of the wrong type, are refused by the schema check
        var extra = Conversations.body().put("name", "web-1").put("confirmed", true);
        assertThatThrownBy(() -> Tools.check(show, extra)).hasMessageContaining("confirmed: is not an argument");
        var typed = Conversations.body().put("name", "web-1").put("port", "22; reboot");
        assertThatThrownBy(() -> Tools.check(TOOLS.get("update_target_host"), typed))
                .hasMessageContaining("port: must be a whole number");
    }

    @Test
    void everyChangingToolNeedsAnOperatorAndTheRiskyOnesAskFirst() {
        for (Tools.Tool t : TOOLS.all()) {
            boolean reads = t.name().startsWith("list_")
                    || t.name().startsWith("show_")
                    || t.name().equals("check_reachability");
            assertThat(t.roles().contains(Roles.VIEWER)).as(t.name()).isEqualTo(reads);
        }
        for (String risky : new String[] {
            "trust_host_key", "approve_install_plan", "execute_install_plan", "remove_target", "provision_auth_slot"
        }) {
            assertThat(TOOLS.get(risky).confirm()).as(risky).isEqualTo(Tools.Confirm.ALWAYS);
        }
        assertThat(TOOLS.get("rename_target").confirm()).isEqualTo(Tools.Confirm.PRODUCTION);
        assertThat(TOOLS.get("update_target_host").confirm()).isEqualTo(Tools.Confirm.PRODUCTION);
    }
}
