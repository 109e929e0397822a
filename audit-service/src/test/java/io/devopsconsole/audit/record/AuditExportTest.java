package io.devopsconsole.audit.record;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.devopsconsole.events.EventEnvelope;
import io.devopsconsole.events.registry.ProjectCreated;
import io.devopsconsole.testkit.Sql;
import io.devopsconsole.testkit.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class AuditExportTest {

    static List<EventEnvelope> publishMany(String actor, int n) {
        List<EventEnvelope> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(AuditIngestTest.publish(
                    new ProjectCreated(UUID.randomUUID(), "exp-" + i, "E" + i, null, "/srv/e", 0), actor));
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() -> Sql.count("SELECT count(*) FROM audit.audit_record WHERE actor = ?", actor) >= n);
        return out;
    }

    @Test
    void cursorPagingAcrossConcurrentInsertsNeitherSkipsNorRepeats() {
        String actor = "pager-" + UUID.randomUUID().toString().substring(0, 6);
        List<EventEnvelope> original = publishMany(actor, 30);
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int page = 0;
        do {
            var request = given().auth()
                    .oauth2(Tokens.viewer())
                    .queryParam("actor", actor)
                    .queryParam("limit", 7);
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            var response =
                    request.get("/api/audit/events").then().statusCode(200).extract();
            seen.addAll(response.path("items.event_id"));
            cursor = response.path("next_cursor");
            if (page++ == 1) {
                publishMany(actor, 5); // newer records arrive while the client pages
            }
        } while (cursor != null);
        assertThat(seen).doesNotHaveDuplicates();
        assertThat(new HashSet<>(seen))
                .isEqualTo(original.stream().map(e -> e.id().toString()).collect(java.util.stream.Collectors.toSet()));
    }

    @Test
    void ndjsonAndCsvExportsCarryTheChainHeadAndEveryMatchingRecord() throws Exception {
        String actor = "exporter-" + UUID.randomUUID().toString().substring(0, 6);
        List<EventEnvelope> events = publishMany(actor, 12);
        String ndjson = given().auth()
                .oauth2(Tokens.admin())
                .queryParam("actor", actor)
                .get("/api/audit/export")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        String[] lines = ndjson.split("\n");
        assertThat(lines).hasSize(13);
        ObjectMapper json = new ObjectMapper();
        JsonNode head = json.readTree(lines[0]).path("chain_head");
        assertThat(head.path("hash").asText()).hasSize(64);
        Set<String> exported = new HashSet<>();
        for (int i = 1; i < lines.length; i++) {
            JsonNode line = json.readTree(lines[i]);
            assertThat(line.path("actor").asText()).isEqualTo(actor);
            assertThat(line.path("hash").asText()).hasSize(64);
            exported.add(line.path("event_id").asText());
        }
        assertThat(exported)
                .containsExactlyInAnyOrderElementsOf(
                        events.stream().map(e -> e.id().toString()).toList());

        String csv = given().auth()
                .oauth2(Tokens.admin())
                .queryParam("actor", actor)
                .queryParam("format", "csv")
                .get("/api/audit/export")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        String[] rows = csv.split("\n");
        assertThat(rows[0]).startsWith("# audit export").contains("hash=");
        assertThat(rows[1]).startsWith("seq,id,event_id");
        assertThat(rows).hasSize(14);

        given().auth().oauth2(Tokens.approver()).get("/api/audit/export").then().statusCode(403);
        given().auth()
                .oauth2(Tokens.admin())
                .queryParam("format", "xml")
                .get("/api/audit/export")
                .then()
                .statusCode(400);
    }

    @Test
    void csvCellsAreQuotedAndFormulaSafe() {
        assertThat(AuditExporter.csvField("plain")).isEqualTo("plain");
        assertThat(AuditExporter.csvField("a,b")).isEqualTo("\"a,b\"");
        assertThat(AuditExporter.csvField("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
        assertThat(AuditExporter.csvField("=HYPERLINK(\"x\")")).startsWith("\"'=");
        assertThat(AuditExporter.csvField("@sum")).isEqualTo("'@sum");
    }
}
