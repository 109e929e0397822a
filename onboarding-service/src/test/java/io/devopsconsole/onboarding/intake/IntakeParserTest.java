package io.devopsconsole.onboarding.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The intake sentence → fields table: what operators actually write, and what must never pass. */
class IntakeParserTest {

    @Test
    void theIssuesOwnExample() {
        IntakeParser.Extracted e = IntakeParser.parse(
                "I have a new server for you to onboard, it's at 10.76.22.150, call it devOps-test-001");
        assertThat(e.host()).isEqualTo("10.76.22.150");
        assertThat(e.name()).isEqualTo("devOps-test-001");
        assertThat(e.user()).isNull();
        assertThat(e.port()).isNull();
        assertThat(e.environment()).isNull();
        assertThat(e.evidence()).containsEntry("host", "10.76.22.150").containsEntry("name", "call it devOps-test-001");
        assertThat(e.missingName()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            nullValues = "-",
            value = {
                "onboard deploy@lab-07.example.com:2222 and name it lab-07 | lab-07.example.com | lab-07 | deploy | 2222 | -",
                "new box at 192.168.10.5 port 2200, log in as ubuntu, named web-01 | 192.168.10.5 | web-01 | ubuntu | 2200 | -",
                "Please add the production server db-01.corp.internal called db-01 | db-01.corp.internal | db-01 | - | - | production",
                "host: 10.0.0.9:22 name: edge.gw-2 user: admin (staging) | 10.0.0.9 | edge.gw-2 | admin | 22 | staging",
                "lab machine, ip 172.16.4.20, named \"ci-runner-3\" | 172.16.4.20 | ci-runner-3 | - | - | lab",
                "it's at [2001:db8::15], call it v6-host | 2001:db8::15 | v6-host | - | - | -",
                "Server is at build.example.org. Call it build. | build.example.org | build | - | - | -",
                // the console's own placeholder wording: the name right after the address
                "onboard 10.20.1.15 as web-3, user deploy, staging | 10.20.1.15 | web-3 | deploy | - | staging",
                "onboard the server at db-7.lab.example:2222 as db-7 | db-7.lab.example | db-7 | - | 2222 | -",
                "at 10.0.0.4, log in as ubuntu | 10.0.0.4 | - | ubuntu | - | -",
            })
    void sentencesOperatorsWrite(String request, String host, String name, String user, Integer port, String env) {
        IntakeParser.Extracted e = IntakeParser.parse(request);
        assertThat(e.host()).isEqualTo(host);
        assertThat(e.name()).isEqualTo(name);
        assertThat(e.user()).isEqualTo(user);
        assertThat(e.port()).isEqualTo(port);
        assertThat(e.environment()).isEqualTo(env);
    }

    @Test
    void aHostOnlyRequestHasNoNameAndSaysSo() {
        IntakeParser.Extracted e = IntakeParser.parse("I have a new server for you to onboard, it's at 10.76.22.150");
        assertThat(e.host()).isEqualTo("10.76.22.150");
        assertThat(e.name()).isNull();
        assertThat(e.missingName()).contains("name");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "it's at 10.76.22.999, call it x",
                "it's at 10.0.0.1:70000, call it x",
                "it's at 10.0.0.1, call it -rm",
                "",
                "   ",
            })
    void statedButInvalidValuesAreRefusedNamingTheField(String request) {
        assertThatThrownBy(() -> IntakeParser.parse(request))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageMatching("(host|port|name|request): .*");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "it's at 10.0.0.1;reboot, call it x$(id)",
                "it's at `id`.example.com, call it a|b",
                "call it ok-name, it's at 10.0.0.2 && rm -rf /",
                "as root;id it's at 10.0.0.3, call it n1",
            })
    void shellTextNeverSurvivesExtraction(String request) {
        IntakeParser.Extracted e;
        try {
            e = IntakeParser.parse(request);
        } catch (IllegalArgumentException refused) {
            assertThat(refused).hasMessageMatching("(host|port|name|user): .*");
            return;
        }
        for (String v : new String[] {e.host(), e.name(), e.user()}) {
            if (v != null) {
                assertThat(v).matches("[A-Za-z0-9._:-]+");
            }
        }
    }
}
