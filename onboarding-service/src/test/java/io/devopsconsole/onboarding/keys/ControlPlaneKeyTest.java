package io.devopsconsole.onboarding.keys;

import static io.devopsconsole.onboarding.e2e.OnboardingJourneyTest.as;
import static io.devopsconsole.onboarding.e2e.OnboardingJourneyTest.ok;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.devopsconsole.onboarding.OnboardingHosts;
import io.devopsconsole.testkit.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

/** What a server's authorized_keys needs: the console's public key, for any role, never its private half. */
@QuarkusTest
class ControlPlaneKeyTest {

    @Test
    void theConsolesPublicKeyIsWhatTheTestHostsAuthorize() {
        JsonPath key = ok(as(Tokens.viewer()).get("/api/ssh-keys/control-plane"), 200);
        String[] authorized = OnboardingHosts.controlPlanePublicKey().split("\\s+");
        assertThat(key.getString("public_key")).isEqualTo(authorized[0] + " " + authorized[1]);
        assertThat(key.getString("authorized_keys_line"))
                .startsWith(authorized[0] + " " + authorized[1])
                .endsWith(" devops-console");
        assertThat(key.getString("public_key_fingerprint")).startsWith("SHA256:");
        assertThat(key.prettify()).doesNotContainIgnoringCase("private");
        given().get("/api/ssh-keys/control-plane").then().statusCode(401);
    }
}
