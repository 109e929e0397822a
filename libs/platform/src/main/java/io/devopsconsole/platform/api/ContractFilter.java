package io.devopsconsole.platform.api;

import io.quarkus.smallrye.openapi.OpenApiFilter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Components;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.MediaType;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

/**
 * Makes every service's generated OpenAPI document say what the wire does, in the places the
 * annotation scanner cannot know: the RFC 9457 problem+json answer ({@code Problem}) on every error
 * an operation can give (400 for a request it refuses, 401 without a token, 403 for a role it lacks,
 * 404 for an id it does not know, 409 for a write that conflicts, 408/413/415 for a body that arrives
 * too slowly, too large or not as JSON), and streamed answers (server-sent events, NDJSON, CSV) as
 * the text they are rather than as JSON arrays. Applied to every service's document at build time.
 * Every answer a service's tests receive is checked against the result (testkit {@code OpenApiValidation}).
 */
@OpenApiFilter(OpenApiFilter.RunStage.BUILD)
public class ContractFilter implements OASFilter {

    static final String PROBLEM = "Problem";
    private static final Set<String> WRITES = Set.of("POST", "PUT", "PATCH", "DELETE");
    private static final Map<String, String> STREAMED = Map.of(
            "text/event-stream",
                    "Server-sent events (one `id:` and `data:` per stored record, named control events, "
                            + "`: heartbeat` comments); reconnect with `Last-Event-ID`.",
            "application/x-ndjson", "Newline-delimited JSON: one JSON object per line.",
            "text/csv", "Comma-separated values with a header row (RFC 4180).");

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        Components components = openAPI.getComponents();
        if (components == null) {
            components = OASFactory.createComponents();
            openAPI.setComponents(components);
        }
        components.addSchema(
                "ProblemFieldError",
                OASFactory.createSchema()
                        .type(List.of(Schema.SchemaType.OBJECT))
                        .description(
                                "One invalid field: its JSON name (dotted for nested fields, `(body)` for the whole body) "
                                        + "and what is wrong with it.")
                        .addProperty("field", string())
                        .addProperty("message", string())
                        .required(List.of("field", "message")));
        components.addSchema(
                PROBLEM,
                OASFactory.createSchema()
                        .type(List.of(Schema.SchemaType.OBJECT))
                        .description("An RFC 9457 problem detail.")
                        .addProperty(
                                "type",
                                string().description("A URI naming the kind of problem; `about:blank` when the "
                                        + "status says it all."))
                        .addProperty("title", string())
                        .addProperty(
                                "status",
                                OASFactory.createSchema()
                                        .type(List.of(Schema.SchemaType.INTEGER))
                                        .format("int32"))
                        .addProperty("detail", string())
                        .addProperty("instance", string())
                        .addProperty(
                                "errors",
                                OASFactory.createSchema()
                                        .type(List.of(Schema.SchemaType.ARRAY))
                                        .items(OASFactory.createSchema().ref(PROBLEM + "FieldError")))
                        .required(List.of("type", "title", "status")));
        if (components.getSchemas() != null) {
            components.getSchemas().values().forEach(ContractFilter::optionalMayBeNull);
        }
        if (openAPI.getPaths() == null) {
            return;
        }
        openAPI.getPaths()
                .getPathItems()
                .forEach((path, item) ->
                        item.getOperations().forEach((method, operation) -> complete(path, method, operation)));
    }

    private static void complete(String path, PathItem.HttpMethod method, Operation operation) {
        APIResponses responses = operation.getResponses();
        if (responses == null) {
            responses = OASFactory.createAPIResponses();
            operation.setResponses(responses);
        }
        responses.getAPIResponses().values().forEach(ContractFilter::describeStreams);
        boolean body = operation.getRequestBody() != null;
        boolean parameters =
                operation.getParameters() != null && !operation.getParameters().isEmpty();
        if (body || parameters) {
            problem(responses, "400", "The request is invalid; `errors` names each offending field.");
        }
        APIResponse unauthorized = responses.getAPIResponse("401");
        if (unauthorized == null) {
            responses.addAPIResponse("401", OASFactory.createAPIResponse().description("No valid bearer token."));
        }
        problem(responses, "403", "The caller's roles do not allow this.");
        if (path.contains("{")) {
            problem(responses, "404", "No such resource (or not visible to the caller).");
        }
        if (WRITES.contains(method.name())) {
            problem(responses, "409", "The change conflicts with the resource's current state or version.");
        }
        if (body) {
            problem(responses, "408", "The request body did not arrive in time.");
            problem(responses, "413", "The request body is larger than the service accepts.");
            problem(responses, "415", "The request body is not `application/json`.");
        }
        // an error a resource declares itself (404 of a lookup by query, 429 of a budget) answers problem+json too
        for (Map.Entry<String, APIResponse> declared :
                new java.util.LinkedHashMap<>(responses.getAPIResponses()).entrySet()) {
            String status = declared.getKey();
            Content content = declared.getValue().getContent();
            if ((status.startsWith("4") || status.startsWith("5"))
                    && !status.equals("401")
                    && (content == null
                            || content.getMediaTypes() == null
                            || content.getMediaTypes().isEmpty())) {
                problem(responses, status, declared.getValue().getDescription());
            }
        }
    }

    /**
     * The services' JSON carries a property that has no value as {@code null} (and accepts {@code null}
     * for it): every property a schema does not require may be {@code null}.
     */
    private static void optionalMayBeNull(Schema schema) {
        if (schema.getItems() != null) {
            optionalMayBeNull(schema.getItems());
        }
        if (schema.getProperties() == null) {
            return;
        }
        List<String> required = schema.getRequired() == null ? List.of() : schema.getRequired();
        for (Map.Entry<String, Schema> property : new java.util.LinkedHashMap<>(schema.getProperties()).entrySet()) {
            Schema value = property.getValue();
            optionalMayBeNull(value);
            if (required.contains(property.getKey())) {
                continue;
            }
            if (value.getRef() != null) {
                schema.addProperty(
                        property.getKey(),
                        OASFactory.createSchema()
                                .anyOf(List.of(OASFactory.createSchema().ref(value.getRef()), nullSchema())));
            } else if (value.getType() != null && !value.getType().contains(Schema.SchemaType.NULL)) {
                List<Schema.SchemaType> types = new java.util.ArrayList<>(value.getType());
                types.add(Schema.SchemaType.NULL);
                value.setType(types);
                if (value.getEnumeration() != null && !value.getEnumeration().contains(null)) {
                    List<Object> values = new java.util.ArrayList<>(value.getEnumeration());
                    values.add(null);
                    value.setEnumeration(values);
                }
            }
        }
    }

    private static Schema nullSchema() {
        return OASFactory.createSchema().type(List.of(Schema.SchemaType.NULL));
    }

    private static void problem(APIResponses responses, String status, String description) {
        APIResponse response = responses.getAPIResponse(status);
        if (response == null) {
            response = OASFactory.createAPIResponse().description(description);
            responses.addAPIResponse(status, response);
        }
        response.setContent(OASFactory.createContent()
                .addMediaType(
                        "application/problem+json",
                        OASFactory.createMediaType()
                                .schema(OASFactory.createSchema().ref(PROBLEM))));
    }

    private static void describeStreams(APIResponse response) {
        Content content = response.getContent();
        if (content == null || content.getMediaTypes() == null) {
            return;
        }
        for (Map.Entry<String, MediaType> entry : content.getMediaTypes().entrySet()) {
            String description = STREAMED.get(entry.getKey());
            if (description != null) {
                entry.getValue().setSchema(string().description(description));
            }
        }
    }

    private static Schema string() {
        return OASFactory.createSchema().type(List.of(Schema.SchemaType.STRING));
    }
}
