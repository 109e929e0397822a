package io.devopsconsole.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import io.restassured.filter.Filter;
import io.restassured.filter.FilterContext;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Checks every answer a service's tests receive through REST Assured against the service's own
 * OpenAPI document ({@code /q/openapi}, OpenAPI 3.1), so the document cannot drift from the wire:
 * the status must be documented for the operation, the media type must be one the operation lists
 * for that status, and a JSON body must validate against the documented schema (JSON Schema 2020-12
 * with the OpenAPI 3.1 dialect, by networknt's validator). A mismatch fails the test that received
 * the answer. Requests that match no documented operation (made-up paths, {@code /q/...}) are not
 * checked; requests are not checked either (tests send invalid ones on purpose).
 *
 * <p>Installed for every {@code @QuarkusTest} by {@link OpenApiValidationExtension}; the counts are
 * written to {@code target/openapi-validation.txt} when the test JVM ends.
 */
public final class OpenApiValidation implements Filter {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final OpenApiValidation INSTANCE = new OpenApiValidation();
    private static final Map<String, Document> DOCUMENTS = new ConcurrentHashMap<>();
    private static final AtomicLong VALIDATED = new AtomicLong();
    private static final AtomicLong WITH_BODY = new AtomicLong();
    private static final AtomicLong UNMATCHED = new AtomicLong();
    private static final Set<String> COVERED = new ConcurrentSkipListSet<>();
    /** Each document's operations ("METHOD template") and their documented statuses. */
    private static final Map<String, Set<String>> DOCUMENTED = new ConcurrentHashMap<>();

    private static final String KEY = "devops.testkit.openapi-validation.";

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(OpenApiValidation::report, "openapi-validation-report"));
    }

    private OpenApiValidation() {}

    /** Puts the one filter in front of REST Assured's calls (once). */
    public static synchronized void install() {
        if (!io.restassured.RestAssured.filters().contains(INSTANCE)) {
            io.restassured.RestAssured.filters(INSTANCE);
        }
    }

    /** Answers checked so far in this JVM. */
    public static long validated() {
        return VALIDATED.get();
    }

    @Override
    public Response filter(
            FilterableRequestSpecification request, FilterableResponseSpecification responseSpec, FilterContext ctx) {
        Response response = ctx.next(request, responseSpec);
        URI uri = URI.create(request.getURI());
        if (uri.getPath() == null || !uri.getPath().startsWith("/api/")) {
            return response;
        }
        Document document = DOCUMENTS.computeIfAbsent(uri.getScheme() + "://" + uri.getAuthority(), Document::load);
        if (document.failure != null) {
            throw new AssertionError("the service's OpenAPI document could not be read: " + document.failure);
        }
        List<String> problems = document.check(request.getMethod(), uri.getRawPath(), response);
        if (!problems.isEmpty()) {
            throw new AssertionError("the answer to " + request.getMethod() + " " + uri.getRawPath() + " ("
                    + response.getStatusCode() + " " + response.getContentType()
                    + ") is not what the service's OpenAPI "
                    + "document says:\n  " + String.join("\n  ", problems) + "\n  body: "
                    + abbreviate(response.asString()));
        }
        return response;
    }

    private static String abbreviate(String body) {
        return body == null ? "" : body.length() > 600 ? body.substring(0, 600) + "…" : body;
    }

    /**
     * Adds this class loader's counts to the JVM's (every Quarkus application a test run starts — one
     * per test profile — has its own class loader, hence its own copy of this class) and writes the
     * report of all of them so far: the last one to end writes the whole run's. The totals pass
     * between class loaders as string system properties, under the properties' own lock.
     */
    private static void report() {
        if (VALIDATED.get() == 0 && UNMATCHED.get() == 0) {
            return;
        }
        java.util.Properties jvm = System.getProperties();
        synchronized (jvm) {
            long validated = add(jvm, "validated", VALIDATED.get());
            long withBody = add(jvm, "with-body", WITH_BODY.get());
            long unmatched = add(jvm, "unmatched", UNMATCHED.get());
            Set<String> covered = new java.util.TreeSet<>(lines(jvm.getProperty(KEY + "covered", "")));
            covered.addAll(COVERED);
            jvm.setProperty(KEY + "covered", String.join("\n", covered));
            Map<String, Set<String>> documented = new TreeMap<>();
            for (String line : lines(jvm.getProperty(KEY + "documented", ""))) {
                int bar = line.lastIndexOf('|');
                documented.put(
                        line.substring(0, bar),
                        new java.util.TreeSet<>(List.of(line.substring(bar + 1).split(","))));
            }
            DOCUMENTED.forEach((op, statuses) -> documented
                    .computeIfAbsent(op, k -> new java.util.TreeSet<>())
                    .addAll(statuses));
            jvm.setProperty(
                    KEY + "documented",
                    String.join(
                            "\n",
                            documented.entrySet().stream()
                                    .map(e -> e.getKey() + "|" + String.join(",", e.getValue()))
                                    .toList()));
            StringBuilder out = new StringBuilder();
            out.append("answers validated against the OpenAPI document: ")
                    .append(validated)
                    .append(" (with a JSON body checked against its schema: ")
                    .append(withBody)
                    .append(")\n");
            out.append("answers to /api paths the document does not list (not checked): ")
                    .append(unmatched)
                    .append('\n');
            List<String> never = new ArrayList<>();
            int statuses = 0;
            for (Map.Entry<String, Set<String>> op : documented.entrySet()) {
                boolean any = false;
                for (String status : op.getValue()) {
                    statuses++;
                    any |= covered.contains(op.getKey() + " " + status);
                }
                if (!any) {
                    never.add(op.getKey());
                }
            }
            out.append("operations: ")
                    .append(documented.size())
                    .append(", answered by the tests: ")
                    .append(documented.size() - never.size())
                    .append("; documented (operation, status) pairs: ")
                    .append(statuses)
                    .append(", seen: ")
                    .append(covered.size())
                    .append('\n');
            never.forEach(n -> out.append("  not exercised: ").append(n).append('\n'));
            try {
                Path target = Path.of("target");
                if (Files.isDirectory(target)) {
                    Files.writeString(target.resolve("openapi-validation.txt"), out.toString(), StandardCharsets.UTF_8);
                }
            } catch (IOException e) {
                // a report is best effort at JVM exit
            }
        }
    }

    private static long add(java.util.Properties jvm, String name, long value) {
        long total = Long.parseLong(jvm.getProperty(KEY + name, "0")) + value;
        jvm.setProperty(KEY + name, Long.toString(total));
        return total;
    }

    private static List<String> lines(String text) {
        return text.isEmpty() ? List.of() : List.of(text.split("\n"));
    }

    private record Operation(String method, String template, String[] segments, String pointer, JsonNode responses) {

        /** Literal segments before parameters: {@code /api/sessions/active} wins over {@code /api/sessions/{id}}. */
        int matches(String[] path) {
            if (path.length != segments.length) {
                return -1;
            }
            int literal = 0;
            for (int i = 0; i < path.length; i++) {
                if (segments[i].startsWith("{") && segments[i].endsWith("}")) {
                    if (path[i].isEmpty()) {
                        return -1;
                    }
                } else if (segments[i].equals(path[i])) {
                    literal++;
                } else {
                    return -1;
                }
            }
            return literal;
        }
    }

    private static final class Document {

        private static final String IRI = "urn:devops-console:openapi";
        private final String failure;
        private final List<Operation> operations;
        private final SchemaRegistry registry;
        private final JsonNode components;
        private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

        private Document(String failure, List<Operation> operations, SchemaRegistry registry, JsonNode components) {
            this.failure = failure;
            this.components = components;
            this.operations = operations;
            this.registry = registry;
        }

        static Document load(String origin) {
            try {
                HttpClient client = HttpClient.newBuilder()
                        .connectTimeout(Duration.ofSeconds(10))
                        .build();
                HttpResponse<String> answer = client.send(
                        HttpRequest.newBuilder(URI.create(origin + "/q/openapi?format=json"))
                                .timeout(Duration.ofSeconds(30))
                                .header("Accept", "application/json")
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() != 200) {
                    return new Document("GET /q/openapi answered " + answer.statusCode(), null, null, null);
                }
                String text = answer.body();
                JsonNode root = JSON.readTree(text);
                List<Operation> operations = new ArrayList<>();
                root.path("paths")
                        .fields()
                        .forEachRemaining(path -> path.getValue().fields().forEachRemaining(op -> {
                            String method = op.getKey().toUpperCase(Locale.ROOT);
                            if (Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
                                    .contains(method)) {
                                String pointer = "/paths/" + escape(path.getKey()) + "/" + op.getKey();
                                operations.add(new Operation(
                                        method,
                                        path.getKey(),
                                        path.getKey().split("/", -1),
                                        pointer,
                                        op.getValue().path("responses")));
                                Set<String> statuses = new java.util.TreeSet<>();
                                op.getValue().path("responses").fieldNames().forEachRemaining(statuses::add);
                                DOCUMENTED.put(method + " " + path.getKey(), statuses);
                            }
                        }));
                SchemaRegistry registry = SchemaRegistry.withDialect(Dialects.getOpenApi31());
                return new Document(null, operations, registry, root.path("components"));
            } catch (IOException e) {
                return new Document(e.toString(), null, null, null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Document(e.toString(), null, null, null);
            }
        }

        List<String> check(String method, String rawPath, Response response) {
            String[] path = rawPath.split("/", -1);
            Operation best = null;
            int bestScore = -1;
            for (Operation op : operations) {
                if (!op.method.equals(method)) {
                    continue;
                }
                int score = op.matches(path);
                if (score > bestScore) {
                    best = op;
                    bestScore = score;
                }
            }
            if (best == null) {
                UNMATCHED.incrementAndGet();
                return List.of();
            }
            VALIDATED.incrementAndGet();
            String status = Integer.toString(response.getStatusCode());
            JsonNode documented = best.responses.get(status);
            String statusKey = status;
            if (documented == null) {
                documented = best.responses.get(status.charAt(0) + "XX");
                statusKey = status.charAt(0) + "XX";
            }
            if (documented == null) {
                documented = best.responses.get("default");
                statusKey = "default";
            }
            if (documented == null) {
                return List.of("status " + status + " is not documented for " + best.method + " " + best.template
                        + " (documented: " + fieldNames(best.responses) + ")");
            }
            COVERED.add(best.method + " " + best.template + " " + statusKey);
            String body = response.asString();
            if (body == null || body.isEmpty()) {
                return List.of();
            }
            JsonNode content = documented.get("content");
            if (content == null || content.isEmpty()) {
                return List.of(
                        "status " + status + " of " + best.method + " " + best.template + " is documented without a "
                                + "body, but the answer has one (" + response.getContentType() + ")");
            }
            String mediaType = mediaType(response.getContentType());
            String mediaKey = null;
            for (Iterator<String> it = content.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                if (mediaType(key).equals(mediaType) || key.equals("*/*")) {
                    mediaKey = key;
                    break;
                }
            }
            if (mediaKey == null) {
                return List.of("media type " + mediaType + " is not documented for status " + status + " of "
                        + best.method + " " + best.template + " (documented: " + fieldNames(content) + ")");
            }
            boolean json = mediaType.equals("application/json") || mediaType.endsWith("+json");
            if (!json || !content.get(mediaKey).has("schema")) {
                return List.of();
            }
            JsonNode value;
            try {
                value = JSON.readTree(body);
            } catch (IOException e) {
                return List.of("the body is not JSON although the answer says " + mediaType + ": " + e.getMessage());
            }
            JsonNode schemaNode = content.get(mediaKey).get("schema");
            String key = best.pointer + " " + statusKey + " " + mediaKey;
            // the schema with the document's components beside it, so its "#/components/schemas/..." references resolve
            Schema schema = schemas.computeIfAbsent(key, k -> {
                com.fasterxml.jackson.databind.node.ObjectNode standalone = schemaNode.deepCopy();
                standalone.set("components", components);
                return registry.getSchema(SchemaLocation.of(IRI + ":" + schemas.size()), standalone);
            });
            WITH_BODY.incrementAndGet();
            List<String> problems = new ArrayList<>();
            for (Error error : schema.validate(value)) {
                problems.add(error.toString());
            }
            return problems;
        }

        private static String fieldNames(JsonNode node) {
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            return String.join(", ", names);
        }

        private static String mediaType(String contentType) {
            if (contentType == null) {
                return "";
            }
            int semicolon = contentType.indexOf(';');
            return (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
                    .strip()
                    .toLowerCase(Locale.ROOT);
        }

        /** A JSON Pointer token. */
        private static String escape(String token) {
            return token.replace("~", "~0").replace("/", "~1");
        }
    }

    /** (operation, status) pairs answered, for a test that wants to see what was covered. */
    public static Map<String, Boolean> covered() {
        Map<String, Boolean> out = new TreeMap<>();
        COVERED.forEach(c -> out.put(c, true));
        return out;
    }
}
