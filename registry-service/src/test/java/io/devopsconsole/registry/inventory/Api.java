package io.devopsconsole.registry.inventory;

import static io.restassured.RestAssured.given;

import io.devopsconsole.events.Topics;
import io.devopsconsole.testkit.KafkaTopics;
import io.devopsconsole.testkit.TestInfrastructure;
import io.devopsconsole.testkit.Tokens;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Small helpers the inventory tests share. */
final class Api {

    private Api() {}

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static RequestSpecification as(String token) {
        return given().auth().oauth2(token).contentType(ContentType.JSON);
    }

    static RequestSpecification operator() {
        return as(Tokens.operator());
    }

    static RequestSpecification approver() {
        return as(Tokens.approver());
    }

    static RequestSpecification admin() {
        return as(Tokens.admin());
    }

    static String createSite(String name) {
        return operator()
                .body(Map.of("name", name))
                .post("/api/sites")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    static String createTunnel(String iface) {
        return operator()
                .body(Map.of(
                        "name", iface, "interface_name", iface, "config_path", "/etc/wireguard/" + iface + ".conf"))
                .post("/api/tunnels")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    static Map<String, Object> target(String name, String host, Object... more) {
        Map<String, Object> body = new HashMap<>();
        body.put("name", name);
        body.put("host", host);
        for (int i = 0; i < more.length; i += 2) {
            body.put((String) more[i], more[i + 1]);
        }
        return body;
    }

    static ValidatableResponse register(RequestSpecification who, Map<String, Object> body) {
        return who.body(body).post("/api/ssh-targets").then();
    }

    static String registerLab(String name, String host) {
        return register(operator(), target(name, host))
                .statusCode(201)
                .extract()
                .path("id");
    }

    static String createProject() {
        String slug = unique("rp");
        return operator()
                .body(Map.of("slug", slug, "name", slug, "default_working_directory", "/srv/" + slug))
                .post("/api/projects")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    /** The CloudEvent types published for one aggregate, in topic order. */
    static List<String> eventTypes(String aggregateId) {
        return KafkaTopics.readAll(TestInfrastructure.kafka().bootstrapServers(), Topics.REGISTRY).stream()
                .filter(r -> aggregateId.equals(r.key()))
                .map(r -> header(r, "ce_type")
                        .replace("io.devopsconsole.registry.", "")
                        .replace(".v1", ""))
                .toList();
    }

    static String header(ConsumerRecord<String, byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    /** A well-formed ssh-ed25519 public key blob (base64), different each call. */
    static String ed25519Key() {
        byte[] type = "ssh-ed25519".getBytes(StandardCharsets.US_ASCII);
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        ByteBuffer blob = ByteBuffer.allocate(4 + type.length + 4 + key.length);
        blob.putInt(type.length).put(type).putInt(key.length).put(key);
        return Base64.getEncoder().encodeToString(blob.array());
    }

    static String fingerprint(String base64Blob) throws Exception {
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                .digest(Base64.getDecoder().decode(base64Blob));
        return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
    }
}
