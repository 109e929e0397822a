package io.devopsconsole.registry.inventory;

import static io.devopsconsole.registry.inventory.Api.unique;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.devopsconsole.platform.text.StoredText;
import io.devopsconsole.testkit.HostileText;
import io.devopsconsole.testkit.Sql;
import io.devopsconsole.testkit.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Generated text (fixed adversarial cases, then random ones) in the free-text fields of the
 * registry's write endpoints: never a 5xx; refused with a 400 naming the field only for control
 * characters as typed (a NUL included); otherwise stored in the stored form (ADR 0014), and what the
 * API shows is what is stored, which decodes to exactly what was sent.
 */
@QuarkusTest
class GeneratedTextTest {

    static boolean plain(String s) {
        return s.chars().noneMatch(c -> (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || (c >= 0x7f && c < 0xa0));
    }

    @Test
    void descriptionsOfSitesNetworkRulesAndProjectsKeepAnyPrintableTextExactly() {
        List<String> texts = HostileText.samples(40);
        int accepted = 0;
        for (String t : texts) {
            String description = t.length() > 2000 ? t.substring(0, 2000) : t;
            Map<String, Object> site = new LinkedHashMap<>();
            site.put("name", unique("Gen site"));
            site.put("description", description);
            var answer = given().auth()
                    .oauth2(Tokens.operator())
                    .contentType("application/json")
                    .body(HostileText.json(site))
                    .post("/api/sites")
                    .then()
                    .extract();
            assertThat(answer.statusCode())
                    .as(
                            "%s -> %s",
                            HostileText.visible(description), answer.body().asString())
                    .isEqualTo(plain(description) ? 201 : 400);
            if (answer.statusCode() == 400) {
                assertThat(answer.body().asString()).contains("description");
                continue;
            }
            accepted++;
            String expected =
                    description.isBlank() ? null : description.strip(); // descriptions are trimmed; blank is none
            String shown = answer.path("description");
            String stored = (String)
                    Sql.rows("SELECT description FROM registry.site WHERE id = ?::uuid", (Object) answer.path("id"))
                            .get(0)
                            .get("description");
            assertThat(HostileText.visible(shown)).isEqualTo(HostileText.visible(stored));
            assertThat(HostileText.visible(StoredText.decode(shown))).isEqualTo(HostileText.visible(expected));

            Map<String, Object> project = new LinkedHashMap<>();
            project.put("slug", unique("gen").toLowerCase().replaceAll("[^a-z0-9-]", "-"));
            project.put("name", "Generated " + unique("p"));
            project.put("description", description);
            project.put("default_working_directory", "/srv/generated");
            var created = given().auth()
                    .oauth2(Tokens.operator())
                    .contentType("application/json")
                    .body(HostileText.json(project))
                    .post("/api/projects")
                    .then()
                    .extract();
            assertThat(created.statusCode()).as(created.body().asString()).isEqualTo(201);
            assertThat(HostileText.visible(StoredText.decode(created.path("description"))))
                    .isEqualTo(HostileText.visible(expected));
        }
        assertThat(accepted).as("texts accepted").isGreaterThanOrEqualTo(8);
    }
}
