package io.devopsconsole.platform.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.vault.client.VaultClient;
import io.quarkus.vault.client.http.jdk.JDKVaultHttpClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Vault implementation through quarkus-vault's client against an in-process HTTP stub of the
 * KV v2 API (no Vault server can run here): the paths, methods, token header and JSON shapes are
 * Vault's; versions are kept per path as Vault does.
 */
class VaultSecretStoreTest {

    static final String TOKEN = "s.test-token";
    static final ObjectMapper JSON = new ObjectMapper();

    HttpServer server;
    final Map<String, List<JsonNode>> versions = new TreeMap<>();
    final List<String> requests = new CopyOnWriteArrayList<>();
    VaultSecretStore store;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/", this::handle);
        server.start();
        VaultClient client = VaultClient.builder()
                .baseUrl("http://127.0.0.1:" + server.getAddress().getPort())
                .executor(new JDKVaultHttpClient(HttpClient.newHttpClient()))
                .clientToken(TOKEN)
                .build();
        store = new VaultSecretStore(client.secrets().kv2("secret"), "devops-console");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void writesReadsVersionsListsAndDeletesUnderThePrefix() {
        SecretRef ref = new SecretRef("codex-auth/slot-a");
        assertThat(store.put(ref, Map.of("auth.json", "{\"t\":\"CANARY-1\"}"))
                        .await()
                        .indefinitely())
                .isEqualTo(1);
        assertThat(store.put(ref, Map.of("auth.json", "{\"t\":\"CANARY-2\"}"))
                        .await()
                        .indefinitely())
                .isEqualTo(2);
        store.put(new SecretRef("codex-auth/nested/slot-b"), Map.of("k", "v"))
                .await()
                .indefinitely();
        store.put(new SecretRef("wireguard/wg0"), Map.of("k", "v")).await().indefinitely();

        assertThat(store.get(ref).await().indefinitely()).contains(Map.of("auth.json", "{\"t\":\"CANARY-2\"}"));
        assertThat(requests)
                .contains(
                        "POST /v1/secret/data/devops-console/codex-auth/slot-a",
                        "GET /v1/secret/data/devops-console/codex-auth/slot-a");
        assertThat(store.list("codex-auth").await().indefinitely())
                .extracting(SecretRef::path)
                .containsExactly("codex-auth/nested/slot-b", "codex-auth/slot-a");

        assertThat(store.delete(ref).await().indefinitely()).isTrue();
        assertThat(store.get(ref).await().indefinitely()).isEqualTo(Optional.empty());
        assertThat(store.delete(ref).await().indefinitely()).isFalse();
        assertThat(store.list("missing").await().indefinitely()).isEmpty();
    }

    @Test
    void aRefusedTokenIsReportedWithoutTheBody() {
        VaultClient bad = VaultClient.builder()
                .baseUrl("http://127.0.0.1:" + server.getAddress().getPort())
                .executor(new JDKVaultHttpClient(HttpClient.newHttpClient()))
                .clientToken("s.wrong")
                .build();
        VaultSecretStore refused = new VaultSecretStore(bad.secrets().kv2("secret"), "devops-console");
        assertThatThrownBy(() -> refused.put(new SecretRef("x/y"), Map.of("k", "SECRET-VALUE"))
                        .await()
                        .indefinitely())
                .isInstanceOf(SecretStoreException.class)
                .hasMessageContaining("HTTP 403")
                .hasMessageNotContaining("SECRET-VALUE")
                .hasMessageNotContaining("permission denied body");
    }

    private void handle(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        String path = ex.getRequestURI().getPath();
        String query = ex.getRequestURI().getQuery();
        requests.add(method + " " + path);
        if (!TOKEN.equals(ex.getRequestHeaders().getFirst("X-Vault-Token"))) {
            reply(ex, 403, "{\"errors\":[\"permission denied body\"]}");
            return;
        }
        byte[] body = ex.getRequestBody().readAllBytes();
        if (path.startsWith("/v1/secret/data/")) {
            String key = path.substring("/v1/secret/data/".length());
            if (method.equals("POST") || method.equals("PUT")) {
                JsonNode data = JSON.readTree(body).get("data");
                versions.computeIfAbsent(key, k -> new ArrayList<>()).add(data);
                reply(
                        ex,
                        200,
                        "{\"data\":{\"created_time\":\"2026-11-22T00:00:00Z\",\"deletion_time\":\"\","
                                + "\"destroyed\":false,\"version\":"
                                + versions.get(key).size() + "}}");
                return;
            }
            List<JsonNode> all = versions.get(key);
            if (all == null) {
                reply(ex, 404, "{\"errors\":[]}");
                return;
            }
            ObjectNode out = JSON.createObjectNode();
            ObjectNode data = out.putObject("data");
            data.set("data", all.get(all.size() - 1));
            data.putObject("metadata")
                    .put("version", all.size())
                    .put("created_time", "2026-11-22T00:00:00Z")
                    .put("deletion_time", "")
                    .put("destroyed", false);
            reply(ex, 200, out.toString());
            return;
        }
        if (path.startsWith("/v1/secret/metadata/")) {
            String key = path.substring("/v1/secret/metadata/".length());
            if (method.equals("GET") && query == null) {
                List<JsonNode> all = versions.get(key);
                if (all == null) {
                    reply(ex, 404, "{\"errors\":[]}");
                    return;
                }
                reply(
                        ex,
                        200,
                        "{\"data\":{\"current_version\":" + all.size() + ",\"oldest_version\":1,"
                                + "\"max_versions\":0,\"versions\":{}}}");
                return;
            }
            if (method.equals("DELETE")) {
                reply(ex, versions.remove(key) == null ? 404 : 204, "");
                return;
            }
            if (method.equals("LIST") || (method.equals("GET") && "list=true".equals(query))) {
                String folder = key.endsWith("/") ? key : key + "/";
                java.util.TreeSet<String> keys = new java.util.TreeSet<>();
                versions.keySet().stream()
                        .filter(k -> k.startsWith(folder))
                        .map(k -> k.substring(folder.length()))
                        .forEach(
                                rest -> keys.add(rest.contains("/") ? rest.substring(0, rest.indexOf('/') + 1) : rest));
                if (keys.isEmpty()) {
                    reply(ex, 404, "{\"errors\":[]}");
                    return;
                }
                ObjectNode out = JSON.createObjectNode();
                var arr = out.putObject("data").putArray("keys");
                keys.forEach(arr::add);
                reply(ex, 200, out.toString());
                return;
            }
        }
        reply(ex, 405, "{\"errors\":[\"unsupported\"]}");
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, status == 204 ? -1 : bytes.length);
        if (status != 204) {
            ex.getResponseBody().write(bytes);
        }
        ex.close();
    }
}
