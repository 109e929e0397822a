package io.devopsconsole.console;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.oidc.server.OidcWiremockTestResource;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URL;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * The BFF against an in-process OIDC provider (authorization-code flow driven like a browser) and
 * stand-in services: login, cookies, the operator's token on proxied calls only, routing by
 * prefix, CSRF on state-changing calls, unknown and unsafe paths, SSE passed through unbuffered.
 */
@QuarkusTest
@QuarkusTestResource(OidcWiremockTestResource.class)
@QuarkusTestResource(StubServices.class)
class ProxyTest {

    @TestHTTPResource("/")
    URL app;

    /** Logs in through the code flow; returns the browser's cookies. */
    Map<String, String> login() {
        Response toLogin = given().redirects().follow(false).get("/auth/me");
        assertThat(toLogin.statusCode()).isEqualTo(302);
        Map<String, String> cookies = new HashMap<>(toLogin.getCookies());
        URI auth = URI.create(toLogin.getHeader("Location"));
        Map<String, String> q = query(auth);
        String keycloak = ConfigProvider.getConfig().getValue("keycloak.url", String.class);
        String base = keycloak.substring(0, keycloak.indexOf("/auth"));
        Response loggedIn = given().redirects()
                .follow(false)
                .queryParam("redirect_uri", q.get("redirect_uri"))
                .queryParam("state", q.get("state"))
                .get(base + "/login");
        assertThat(loggedIn.statusCode()).isEqualTo(302);
        URI callback = URI.create(loggedIn.getHeader("Location"));
        Response back = given().redirects()
                .follow(false)
                .cookies(cookies)
                .get(callback.getRawPath() + "?" + callback.getRawQuery());
        assertThat(back.statusCode()).as(back.asString()).isEqualTo(302);
        cookies.putAll(back.getCookies());
        cookies.values().removeIf(String::isEmpty); // the state cookie the callback deleted
        assertThat(back.getDetailedCookie("q_session").isHttpOnly()).isTrue();
        assertThat(back.getDetailedCookie("q_session").getSameSite()).isEqualToIgnoringCase("Lax");
        return cookies;
    }

    static Map<String, String> query(URI uri) {
        Map<String, String> out = new HashMap<>();
        for (String pair : uri.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            out.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    void theSpaIsServedFromTheSameOriginAndSignInLeadsBackToIt() {
        String page = given().get("/")
                .then()
                .statusCode(200)
                .contentType("text/html")
                .extract()
                .asString();
        assertThat(page).contains("<div id=\"app\"").contains("/assets/index-");
        assertThat(given().redirects().follow(false).get("/auth/login").getHeader("Location"))
                .contains("/auth/realms/quarkus");
        Map<String, String> cookies = login();
        Response afterLogin = given().redirects().follow(false).cookies(cookies).get("/auth/login");
        assertThat(afterLogin.statusCode()).isEqualTo(302);
        assertThat(URI.create(afterLogin.getHeader("Location")).getPath()).isEqualTo("/");
    }

    /**
     * An upgrade is picked up at the next load: the shell is always revalidated, only the content-hashed
     * bundles are kept; both travel compressed to clients that ask.
     */
    @Test
    void theShellIsRevalidatedTheBundlesAreKeptAndBothAreCompressed() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<byte[]> shell = http.send(
                HttpRequest.newBuilder(app.toURI().resolve("/"))
                        .header("Accept-Encoding", "gzip")
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(shell.statusCode()).isEqualTo(200);
        assertThat(shell.headers().firstValue("Cache-Control")).hasValue("no-cache");
        assertThat(shell.headers().firstValue("Content-Encoding")).hasValue("gzip");
        String html = new String(
                new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(shell.body())).readAllBytes(),
                StandardCharsets.UTF_8);
        java.util.regex.Matcher bundle = java.util.regex.Pattern.compile("/assets/index-[A-Za-z0-9_-]+\\.js")
                .matcher(html);
        assertThat(bundle.find()).as(html).isTrue();
        HttpResponse<byte[]> js = http.send(
                HttpRequest.newBuilder(app.toURI().resolve(bundle.group()))
                        .header("Accept-Encoding", "gzip")
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(js.statusCode()).isEqualTo(200);
        assertThat(js.headers().firstValue("Cache-Control")).hasValue("public, max-age=31536000, immutable");
        assertThat(js.headers().firstValue("Content-Encoding")).hasValue("gzip");
        assertThat(js.body().length)
                .as("compressed bundle")
                .isLessThan(given().get(bundle.group()).asByteArray().length / 2);
    }

    @Test
    void everyAnswerCarriesTheSecurityHeadersAndTheConsoleRefusesToBeFramed() {
        for (String path : new String[] {"/", "/auth/login", "/api/projects", "/q/health/live"}) {
            Response r = given().redirects().follow(false).get(path);
            assertThat(r.getHeader("Content-Security-Policy"))
                    .as(path)
                    .contains("default-src 'self'")
                    .contains("script-src 'self'")
                    .contains("frame-ancestors 'none'")
                    .contains("object-src 'none'")
                    .doesNotContain("unsafe-inline")
                    .doesNotContain("unsafe-eval");
            assertThat(r.getHeader("X-Frame-Options")).as(path).isEqualTo("DENY");
            assertThat(r.getHeader("X-Content-Type-Options")).as(path).isEqualTo("nosniff");
            assertThat(r.getHeader("Referrer-Policy")).as(path).isEqualTo("no-referrer");
        }
    }

    @Test
    void withoutALoginTheApiRedirectsBrowsersAndRefusesScripts() {
        assertThat(given().redirects().follow(false).get("/api/projects").statusCode())
                .isEqualTo(302);
        assertThat(given().redirects()
                        .follow(false)
                        .header("X-Requested-With", "JavaScript")
                        .get("/api/projects")
                        .statusCode())
                .isEqualTo(499);
        // an event stream whose session ended is told so, never redirected to the identity provider
        assertThat(given().redirects()
                        .follow(false)
                        .header("Accept", "text/event-stream")
                        .get("/api/coordinator/stream")
                        .statusCode())
                .isEqualTo(499);
        assertThat(given().get("/q/health/live").statusCode()).isEqualTo(200);
    }

    /** An access token as the realm issues it to the CLI, signed with the in-process provider's key. */
    static String bearer(String user, String audience, String typ, long expiresInSeconds, String... roles) {
        return io.smallrye.jwt.build.Jwt.issuer("https://server.example.com")
                .subject(java.util
                        .UUID
                        .nameUUIDFromBytes(user.getBytes(StandardCharsets.UTF_8))
                        .toString())
                .preferredUserName(user)
                .audience(audience)
                .claim("azp", "devops-cli")
                .claim("typ", typ)
                .claim("realm_access", Map.of("roles", java.util.List.of(roles)))
                .groups(java.util.Set.of("admin"))
                .expiresAt(java.time.Instant.now().plusSeconds(expiresInSeconds))
                .jws()
                .keyId("1")
                .sign("privateKey.jwk");
    }

    @Test
    void aClientWithItsOwnAccessTokenIsServedWithoutCookiesRedirectsOrCsrfAndOnlyWithOurTokens() {
        String token = bearer("carl-cli", "devops-services", "Bearer", 300, "viewer", "operator");
        Response me = given().redirects().follow(false).auth().oauth2(token).get("/auth/me");
        assertThat(me.statusCode()).as(me.asString()).isEqualTo(200);
        assertThat(me.jsonPath().getString("name")).isEqualTo("carl-cli");
        assertThat(me.jsonPath().getList("roles")).containsExactly("operator", "viewer"); // not the group "admin"
        assertThat(me.getHeaders().getValues("Set-Cookie")).isEmpty();

        // the token goes on to the owning service as it came; a change needs no CSRF header (nothing ambient)
        Response list = given().redirects().follow(false).auth().oauth2(token).get("/api/projects?size=5");
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.jsonPath().getString("authorization")).isEqualTo("Bearer " + token);
        assertThat(list.getHeaders().getValues("Set-Cookie")).isEmpty();
        Response change = given().redirects()
                .follow(false)
                .auth()
                .oauth2(token)
                .contentType(ContentType.JSON)
                .body("{\"name\":\"x\"}")
                .post("/api/projects");
        assertThat(change.statusCode()).isEqualTo(200);
        assertThat(change.jsonPath().getString("method")).isEqualTo("POST");

        // not ours: another audience, an ID token, an expired token, garbage — 401, never a redirect to sign in
        for (String refused : java.util.List.of(
                bearer("carl-cli", "account", "Bearer", 300, "admin"),
                bearer("carl-cli", "devops-services", "ID", 300, "admin"),
                bearer("carl-cli", "devops-services", "Bearer", -60, "admin"),
                "not-a-token")) {
            Response r =
                    given().redirects().follow(false).auth().oauth2(refused).get("/api/projects");
            assertThat(r.statusCode()).as(refused).isEqualTo(401);
            assertThat(r.getHeaders().getValues("Set-Cookie")).isEmpty();
        }
    }

    @Test
    void theOperatorsTokenGoesToTheOwningServiceAndNeverToTheBrowser() throws Exception {
        Map<String, String> cookies = login();
        Response meResponse = given().redirects().follow(false).cookies(cookies).get("/auth/me");
        assertThat(meResponse.statusCode())
                .as(meResponse.headers() + " sent " + cookies)
                .isEqualTo(200);
        JsonPath me = meResponse.jsonPath();
        assertThat(meResponse.getDetailedCookie("devops-csrf").getSameSite()).isEqualToIgnoringCase("Strict");
        cookies.putAll(meResponse.getCookies());
        assertThat(me.getString("name")).isEqualTo("alice");
        String csrf = me.getString("csrf_token");
        assertThat(csrf).hasSize(43);

        Map<String, String> owners = Map.of(
                "/api/projects?size=5",
                "registry",
                "/api/tunnels/t1",
                "registry",
                "/api/tunnels/t1/wireguard/status?gateway_target_id=g",
                "onboarding",
                "/api/sessions/s1",
                "session",
                "/api/workers",
                "agent",
                "/api/agent-target-onboarding/r1",
                "onboarding",
                "/api/audit/events?limit=3",
                "audit",
                "/api/codex-auth/slots",
                "onboarding",
                "/api/usage/projects/p",
                "session");
        String seenToken = null;
        for (var e : owners.entrySet()) {
            Response r = given().redirects().follow(false).cookies(cookies).get(e.getKey());
            assertThat(r.statusCode())
                    .as(e.getKey() + " " + r.headers() + " cookies " + cookies.keySet())
                    .isEqualTo(200);
            assertThat(r.statusCode()).as(e.getKey()).isEqualTo(200);
            JsonPath echo = r.jsonPath();
            assertThat(echo.getString("service")).as(e.getKey()).isEqualTo(e.getValue());
            assertThat(echo.getString("uri")).isEqualTo(e.getKey());
            assertThat(echo.getString("authorization")).startsWith("Bearer ey");
            assertThat(echo.getString("cookie"))
                    .as("browser cookies stay at the BFF")
                    .isEmpty();
            seenToken = seenToken == null ? echo.getString("authorization") : seenToken;
            assertThat(echo.getString("authorization")).isEqualTo(seenToken);
            assertThat(r.asString()).doesNotContain("q_session");
        }
        // the token itself is never in what the browser holds or reads
        String token = seenToken.substring("Bearer ".length());
        assertThat(cookies.values()).noneMatch(v -> v.contains(token));
        assertThat(given().cookies(cookies).get("/auth/me").asString()).doesNotContain(token);

        // state-changing calls need the CSRF header matching the cookie
        given().cookies(cookies)
                .contentType(ContentType.JSON)
                .body("{\"name\":\"x\"}")
                .post("/api/projects")
                .then()
                .statusCode(403)
                .contentType("application/problem+json");
        given().cookies(cookies)
                .header("X-CSRF-Token", "forged")
                .contentType(ContentType.JSON)
                .body("{}")
                .post("/api/projects")
                .then()
                .statusCode(403);
        // the token is bound to the login session: a cookie and header an attacker sets to equal values do not pass
        Map<String, String> planted = new HashMap<>(cookies);
        planted.put("devops-csrf", "A".repeat(43));
        given().cookies(planted)
                .header("X-CSRF-Token", "A".repeat(43))
                .contentType(ContentType.JSON)
                .body("{}")
                .post("/api/projects")
                .then()
                .statusCode(403);
        Response created = given().cookies(cookies)
                .header("X-CSRF-Token", csrf)
                .contentType(ContentType.JSON)
                .body("{\"name\":\"x\"}")
                .post("/api/projects/created");
        assertThat(created.statusCode()).isEqualTo(201);
        // the service's internal address never reaches the browser: the same path on the console's origin
        assertThat(created.getHeader("Location")).isEqualTo("/api/projects/p-1?v=2");
        JsonPath posted = created.jsonPath();
        assertThat(posted.getString("method")).isEqualTo("POST");
        assertThat(posted.getString("body")).isEqualTo("{\"name\":\"x\"}");
        assertThat(posted.getString("csrf_header"))
                .as("the CSRF token is not forwarded")
                .isEmpty();

        // a request target in absolute form reaches the same path of the owning service, never another host
        String cookieHeader = cookies.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(java.util.stream.Collectors.joining("; "));
        try (java.net.Socket raw = new java.net.Socket(app.getHost(), app.getPort())) {
            raw.getOutputStream()
                    .write(("GET http://evil.example/api/projects?x=1 HTTP/1.1\r\nHost: evil.example\r\nCookie: "
                                    + cookieHeader + "\r\nConnection: close\r\n\r\n")
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String answer = new String(raw.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 200").contains("\"uri\":\"/api/projects?x=1\"");
        }

        // unknown and unsafe paths reach no service
        given().cookies(cookies).get("/api/nothing-here").then().statusCode(404);
        given().cookies(cookies)
                .urlEncodingEnabled(false)
                .get("/api/projects/%2e%2e/secrets")
                .then()
                .statusCode(404);
        given().cookies(cookies)
                .urlEncodingEnabled(false)
                .get("/api/projects/a%2Fb")
                .then()
                .statusCode(404);
    }

    @Test
    void serverSentEventsPassThroughAsTheyAreWritten() throws Exception {
        Map<String, String> cookies = login();
        String key = "k=" + UUID.randomUUID();
        StringBuilder cookie = new StringBuilder();
        cookies.forEach((k, v) -> cookie.append(cookie.length() == 0 ? "" : "; ")
                .append(k)
                .append('=')
                .append(v));
        HttpRequest request = HttpRequest.newBuilder(app.toURI().resolve("/api/sessions/s1/stream?" + key))
                .header("Cookie", cookie.toString())
                .header("Accept", "text/event-stream")
                // a client that takes gzip still gets each event as written (streams are never compressed)
                .header("Accept-Encoding", "gzip")
                .build();
        HttpResponse<java.io.InputStream> response =
                HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        assertThat(response.headers().firstValue("Content-Encoding").orElse("identity"))
                .isEqualTo("identity");
        try (BufferedReader lines =
                new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            // the first event arrives while the service still holds the second one back
            assertThat(lines.readLine()).isEqualTo("id: 1");
            assertThat(lines.readLine()).isEqualTo("event: record");
            assertThat(lines.readLine()).isEqualTo("data: {\"n\":1}");
            StubServices.RELEASE
                    .computeIfAbsent(key, k -> new CountDownLatch(1))
                    .countDown();
            assertThat(lines.readLine()).isEmpty();
            assertThat(lines.readLine()).isEqualTo("id: 2");
        }
    }

    /**
     * One user's event streams have a budget (3 in tests) and their own upstream connections: past it
     * the console answers 429, API calls go on at once meanwhile, and a closed stream frees its place.
     */
    @Test
    void oneUsersStreamsAreBudgetedAndNeverStarveApiCalls() throws Exception {
        Map<String, String> cookies = login();
        StringBuilder cookie = new StringBuilder();
        cookies.forEach((k, v) -> cookie.append(cookie.length() == 0 ? "" : "; ")
                .append(k)
                .append('=')
                .append(v));
        HttpClient http = HttpClient.newHttpClient();
        java.util.List<String> keys = new java.util.ArrayList<>();
        java.util.List<HttpResponse<java.io.InputStream>> held = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String key = "k=" + UUID.randomUUID();
            keys.add(key);
            HttpResponse<java.io.InputStream> r = http.send(
                    HttpRequest.newBuilder(app.toURI().resolve("/api/sessions/s1/stream?" + key))
                            .header("Cookie", cookie.toString())
                            .header("Accept", "text/event-stream")
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(r.statusCode()).isEqualTo(200);
            held.add(r);
        }
        HttpResponse<String> fourth = http.send(
                HttpRequest.newBuilder(app.toURI().resolve("/api/sessions/s1/stream?k=over"))
                        .header("Cookie", cookie.toString())
                        .header("Accept", "text/event-stream")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(fourth.statusCode()).isEqualTo(429);
        assertThat(fourth.body()).contains("too many open event streams");
        long started = System.nanoTime();
        given().cookies(cookies).get("/api/projects").then().statusCode(200);
        assertThat((System.nanoTime() - started) / 1_000_000)
                .as("an API call while streams are open")
                .isLessThan(2_000);

        // the streams end: their places are free again
        keys.forEach(k -> StubServices.RELEASE
                .computeIfAbsent(k, x -> new CountDownLatch(1))
                .countDown());
        for (HttpResponse<java.io.InputStream> r : held) {
            r.body().readAllBytes();
            r.body().close();
        }
        int status = 0;
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (status != 200 && System.nanoTime() < deadline) {
            String key = "k=" + UUID.randomUUID();
            StubServices.RELEASE
                    .computeIfAbsent(key, x -> new CountDownLatch(1))
                    .countDown();
            HttpResponse<java.io.InputStream> again = http.send(
                    HttpRequest.newBuilder(app.toURI().resolve("/api/sessions/s1/stream?" + key))
                            .header("Cookie", cookie.toString())
                            .header("Accept", "text/event-stream")
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            again.body().readAllBytes();
            status = again.statusCode();
            if (status != 200) {
                Thread.sleep(200);
            }
        }
        assertThat(status).as("a stream after the others closed").isEqualTo(200);
    }
}
