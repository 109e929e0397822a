package io.devopsconsole.registry.project;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import io.devopsconsole.testkit.Sql;
import io.devopsconsole.testkit.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@QuarkusTest
class ProjectApiTest {

    static String slug() {
        return "p-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static Map<String, Object> body(String slug, String dir) {
        return Map.of(
                "slug",
                slug,
                "name",
                "Project " + slug,
                "description",
                "test project",
                "default_working_directory",
                dir);
    }

    static ValidatableResponse create(Object body) {
        return given().auth()
                .oauth2(Tokens.operator())
                .contentType(ContentType.JSON)
                .body(body)
                .post("/api/projects")
                .then();
    }

    static long projectRows() {
        return Sql.count("SELECT count(*) FROM registry.project");
    }

    static long outboxRows() {
        return Sql.count("SELECT count(*) FROM registry.outbox_event");
    }

    @Test
    void createGetUpdateArchiveRoundTrip() {
        String slug = slug();
        String id = create(body(slug, "/srv/projects/" + slug))
                .statusCode(201)
                .header("Location", containsString("/api/projects/"))
                .body("slug", equalTo(slug))
                .body("default_working_directory", equalTo("/srv/projects/" + slug))
                .body("archived", is(false))
                .body("version", equalTo(0))
                .body("created_by", equalTo("olga-operator"))
                .extract()
                .path("id");

        given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/projects/" + id)
                .then()
                .statusCode(200)
                .body("name", equalTo("Project " + slug));

        given().auth()
                .oauth2(Tokens.approver())
                .contentType(ContentType.JSON)
                .body(Map.of("name", "Renamed", "default_working_directory", "/srv/other", "version", 0))
                .put("/api/projects/" + id)
                .then()
                .statusCode(200)
                .body("name", equalTo("Renamed"))
                .body("description", nullValue())
                .body("version", equalTo(1))
                .body("updated_by", equalTo("abe-approver"));

        given().auth()
                .oauth2(Tokens.operator())
                .contentType(ContentType.JSON)
                .body(Map.of("version", 1))
                .post("/api/projects/" + id + "/archive")
                .then()
                .statusCode(200)
                .body("archived", is(true))
                .body("archived_at", notNullValue())
                .body("version", equalTo(2));

        // archived projects are hidden from the default listing and cannot change further
        given().auth()
                .oauth2(Tokens.viewer())
                .queryParam("size", 500)
                .get("/api/projects")
                .then()
                .statusCode(200)
                .body("items.id", not(hasItem(id)));
        given().auth()
                .oauth2(Tokens.viewer())
                .queryParam("include_archived", true)
                .queryParam("size", 500)
                .get("/api/projects")
                .then()
                .body("items.id", hasItem(id));
        given().auth()
                .oauth2(Tokens.operator())
                .contentType(ContentType.JSON)
                .body(Map.of())
                .post("/api/projects/" + id + "/archive")
                .then()
                .statusCode(409)
                .contentType("application/problem+json");
        given().auth()
                .oauth2(Tokens.operator())
                .contentType(ContentType.JSON)
                .body(Map.of("name", "Again", "default_working_directory", "/srv/other", "version", 2))
                .put("/api/projects/" + id)
                .then()
                .statusCode(409);

        // every change was announced through the outbox, stamped with its actor
        assertThat(Sql.rows("SELECT ce_type, actor FROM registry.outbox_event WHERE message_key = ? ORDER BY seq", id))
                .extracting(r -> r.get("ce_type") + " by " + r.get("actor"))
                .containsExactly(
                        "io.devopsconsole.registry.project.created.v1 by olga-operator",
                        "io.devopsconsole.registry.project.updated.v1 by abe-approver",
                        "io.devopsconsole.registry.project.archived.v1 by olga-operator");
    }

    @Test
    void staleVersionIsAConflictAndChangesNothing() {
        String slug = slug();
        String id = create(body(slug, "/srv/a")).statusCode(201).extract().path("id");
        given().auth()
                .oauth2(Tokens.operator())
                .contentType(ContentType.JSON)
                .body(Map.of("name", "First", "default_working_directory", "/srv/a", "version", 0))
                .put("/api/projects/" + id)
                .then()
                .statusCode(200);
        long events = outboxRows();

        given().auth()
                .oauth2(Tokens.operator())
                .contentType(ContentType.JSON)
                .body(Map.of("name", "Lost update", "default_working_directory", "/srv/a", "version", 0))
                .put("/api/projects/" + id)
                .then()
                .statusCode(409)
                .contentType("application/problem+json")
                .body("status", equalTo(409))
                .body("errors.field", contains("version"));

        given().auth().oauth2(Tokens.viewer()).get("/api/projects/" + id).then().body("name", equalTo("First"));
        assertThat(outboxRows()).isEqualTo(events);
    }

    @Test
    void duplicateSlugIsAConflictNamingTheField() {
        String slug = slug();
        create(body(slug, "/srv/a")).statusCode(201);
        long before = projectRows();
        create(body(slug, "/srv/b"))
                .statusCode(409)
                .contentType("application/problem+json")
                .body("errors.field", contains("slug"));
        assertThat(projectRows()).isEqualTo(before);
    }

    @Test
    void unknownProjectIs404ProblemJson() {
        given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/projects/" + UUID.randomUUID())
                .then()
                .statusCode(404)
                .contentType("application/problem+json")
                .body("status", equalTo(404));
        given().auth()
                .oauth2(Tokens.viewer())
                .get("/api/projects/not-a-uuid")
                .then()
                .statusCode(404);
    }

    @Test
    void listingIsPagedAndOrderedBySlug() {
        String prefix = "page-" + UUID.randomUUID().toString().substring(0, 6);
        for (int i = 0; i < 3; i++) {
            create(body(prefix + "-" + i, "/srv/x")).statusCode(201);
        }
        ValidatableResponse page = given().auth()
                .oauth2(Tokens.viewer())
                .queryParam("size", 2)
                .queryParam("page", 0)
                .get("/api/projects")
                .then()
                .statusCode(200)
                .body("size", equalTo(2))
                .body("page", equalTo(0))
                .body("items.size()", equalTo(2));
        long total = ((Number) page.extract().path("total")).longValue();
        assertThat(total).isGreaterThanOrEqualTo(3);
        java.util.List<String> slugs = page.extract().path("items.slug");
        assertThat(slugs).isSorted();

        given().auth()
                .oauth2(Tokens.viewer())
                .queryParam("size", 501)
                .get("/api/projects")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("errors.field", contains("size"));
        given().auth()
                .oauth2(Tokens.viewer())
                .queryParam("page", -1)
                .get("/api/projects")
                .then()
                .statusCode(400)
                .body("errors.field", contains("page"));
        given().auth()
                .oauth2(Tokens.viewer())
                .queryParam("page", "first")
                .get("/api/projects")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("errors.field", contains("page"));
        given().auth()
                .oauth2(Tokens.viewer())
                .queryParam("include_archived", "yes")
                .get("/api/projects")
                .then()
                .statusCode(400)
                .body("errors.field", contains("include_archived"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "relative/path",
                "/srv/../etc",
                "/srv/./x",
                "/srv//x",
                "/srv/x/",
                "/srv/x;rm -rf /",
                "/srv/$(id)",
                "/srv/`id`",
                "/srv/a b",
                "/srv/x|y",
                "/srv/x&y",
                "/srv/x>y",
                "/srv/'q'",
                "/srv/-rf",
                "",
                // system and credential directories: never where an agent works
                "/",
                "/etc",
                "/etc/nginx",
                "/proc/self/environ",
                "/root/.ssh",
                "/home/u/.ssh/keys",
                "/sys/kernel",
                "/dev/shm",
                "/boot",
                "/usr/bin",
                "/root",
                "/srv/app/.codex",
                "/home/u/.aws"
            })
    void unsafeWorkingDirectoriesAreRejectedNamingTheField(String dir) {
        long before = projectRows();
        create(body(slug(), dir))
                .statusCode(400)
                .contentType("application/problem+json")
                .body("errors.field", hasItem("default_working_directory"));
        assertThat(projectRows()).isEqualTo(before);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "UPPER",
                "-lead",
                "trail-",
                "with_underscore",
                "a.b",
                "way-too-long-slug-way-too-long-slug-way-too-long-slug-way-too-long"
            })
    void invalidSlugsAreRejected(String slug) {
        create(body(slug, "/srv/x")).statusCode(400).body("errors.field", contains("slug"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "invoice\u202Egnp.exe",
                "admin\u200B",
                "\u2066isolated\u2069",
                "rtl\u200Fmark",
                "p\u0430yments",
                "\u0440aypal prod",
                "Pay\u03BFff"
            }) // Cyrillic а, Cyrillic р, Greek ο among Latin letters
    void namesThatReadAsSomethingElseAreRefused(String name) {
        Map<String, Object> body = new java.util.HashMap<>(body(slug(), "/srv/x"));
        body.put("name", name);
        create(body).statusCode(400).body("errors.field", hasItem("name"));
    }

    /** Names in one script, accented Latin included, are someone's real names and are kept. */
    @ParameterizedTest
    @ValueSource(strings = {"Zürich billing", "Платежи", "Πληρωμές", "決済サービス", "Crème brûlée API"})
    void namesInOneScriptAreAccepted(String name) {
        Map<String, Object> body = new java.util.HashMap<>(body(slug(), "/srv/x"));
        body.put("name", name);
        create(body).statusCode(201).body("name", org.hamcrest.Matchers.equalTo(name));
    }

    @Test
    void missingFieldsAreAllNamed() {
        create(Map.of())
                .statusCode(400)
                .contentType("application/problem+json")
                .body("errors.field", contains("default_working_directory", "name", "slug"));
    }

    @Test
    void malformedJsonUnknownFieldsWrongTypesAndMissingBodiesAre400ProblemJson() {
        long before = projectRows();
        create("{\"slug\": \"x\",")
                .statusCode(400)
                .contentType("application/problem+json")
                .body("errors.field", contains("(body)"));
        create("{\"slug\":\"ok-slug\",\"name\":\"n\",\"default_working_directory\":\"/srv\",\"owner\":\"eve\"}")
                .statusCode(400)
                .contentType("application/problem+json")
                .body("errors.field", contains("owner"))
                .body("errors.message", everyItem(equalTo("unknown field")));
        create("{\"slug\":[1],\"name\":\"n\",\"default_working_directory\":\"/srv\"}")
                .statusCode(400)
                .body("errors.field", contains("slug"));
        given().auth()
                .oauth2(Tokens.operator())
                .contentType(ContentType.JSON)
                .body("{\"name\":\"n\",\"default_working_directory\":\"/srv\",\"version\":\"abc\"}")
                .put("/api/projects/" + UUID.randomUUID())
                .then()
                .statusCode(400)
                .body("errors.field", contains("version"));
        given().auth()
                .oauth2(Tokens.operator())
                .contentType(ContentType.JSON)
                .post("/api/projects")
                .then()
                .statusCode(400)
                .contentType("application/problem+json");
        assertThat(projectRows()).isEqualTo(before);
    }

    @Test
    void oversizedBodiesAreRefused() {
        String huge = "x".repeat(300 * 1024);
        long before = projectRows();
        create(body(slug(), "/srv/x").entrySet().stream()
                        .collect(java.util.stream.Collectors.toMap(
                                Map.Entry::getKey, e -> e.getKey().equals("description") ? huge : e.getValue())))
                .statusCode(413)
                .contentType("application/problem+json")
                .body("errors.field", contains("(body)"));
        // a description just under the body limit but over the field limit names the field
        create(Map.of(
                        "slug",
                        slug(),
                        "name",
                        "n",
                        "default_working_directory",
                        "/srv/x",
                        "description",
                        "d".repeat(2001)))
                .statusCode(400)
                .body("errors.field", contains("description"));
        assertThat(projectRows()).isEqualTo(before);
    }
}
