package io.devopsconsole.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The published CRDs of the operators whose resources we render without a Java model
 * (CloudNativePG, Keycloak, Prometheus Operator), kept in src/test/resources/crds (versions and
 * sources in README.md there), and a validator of an object against its version's structural
 * OpenAPI v3 schema: types, known properties (an unknown field is a finding unless the schema
 * preserves unknown fields), required fields, enums, int-or-string, array items, maps.
 */
final class CrdSchemas {

    private static final String[] FILES = {
        "postgresql.cnpg.io_clusters.yaml",
        "postgresql.cnpg.io_databases.yaml",
        "keycloaks.k8s.keycloak.org-v1.yml",
        "keycloakrealmimports.k8s.keycloak.org-v1.yml",
        "monitoring.coreos.com_servicemonitors.yaml",
        "monitoring.coreos.com_prometheusrules.yaml"
    };
    private static final Map<String, JsonNode> SCHEMAS = load();

    private CrdSchemas() {}

    static Optional<JsonNode> schemaOf(JsonNode object) {
        return Optional.ofNullable(SCHEMAS.get(
                object.path("apiVersion").asText() + "/" + object.path("kind").asText()));
    }

    static List<String> violations(JsonNode object, JsonNode schema) {
        List<String> out = new ArrayList<>();
        // metadata is the API server's, not the CRD's: check the rest
        Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
        JsonNode properties = schema.path("properties");
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            if (f.getKey().equals("metadata")
                    || f.getKey().equals("apiVersion")
                    || f.getKey().equals("kind")) {
                continue;
            }
            if (!properties.has(f.getKey())) {
                out.add(f.getKey() + ": not a field of this resource");
                continue;
            }
            check(f.getValue(), properties.get(f.getKey()), f.getKey(), out);
        }
        for (JsonNode required : schema.path("required")) {
            if (!object.has(required.asText())) {
                out.add(required.asText() + ": required");
            }
        }
        return out;
    }

    private static void check(JsonNode value, JsonNode schema, String path, List<String> out) {
        if (schema.path("x-kubernetes-int-or-string").asBoolean()) {
            if (!value.isInt() && !value.isTextual()) {
                out.add(path + ": must be an integer or a string");
            }
            return;
        }
        String type = schema.path("type").asText("");
        if (value.isNull()) {
            if (!schema.path("nullable").asBoolean()) {
                out.add(path + ": null is not allowed");
            }
            return;
        }
        switch (type) {
            case "object" -> {
                if (!value.isObject()) {
                    out.add(path + ": must be an object");
                    return;
                }
                JsonNode properties = schema.path("properties");
                JsonNode additional = schema.path("additionalProperties");
                boolean preserve =
                        schema.path("x-kubernetes-preserve-unknown-fields").asBoolean();
                Iterator<Map.Entry<String, JsonNode>> it = value.fields();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> f = it.next();
                    String child = path + "." + f.getKey();
                    if (properties.has(f.getKey())) {
                        check(f.getValue(), properties.get(f.getKey()), child, out);
                    } else if (additional.isObject()) {
                        check(f.getValue(), additional, child, out);
                    } else if (!preserve && !(additional.isBoolean() && additional.asBoolean())) {
                        out.add(child + ": not a field here");
                    }
                }
                for (JsonNode required : schema.path("required")) {
                    if (!value.has(required.asText())) {
                        out.add(path + "." + required.asText() + ": required");
                    }
                }
            }
            case "array" -> {
                if (!value.isArray()) {
                    out.add(path + ": must be a list");
                    return;
                }
                for (int i = 0; i < value.size(); i++) {
                    check(value.get(i), schema.path("items"), path + "[" + i + "]", out);
                }
            }
            case "string" -> {
                if (!value.isTextual()) {
                    out.add(path + ": must be a string");
                } else if (schema.has("enum") && !contains(schema.get("enum"), value)) {
                    out.add(path + ": '" + value.asText() + "' is not one of " + schema.get("enum"));
                }
            }
            case "integer" -> {
                if (!value.isIntegralNumber()) {
                    out.add(path + ": must be an integer");
                }
            }
            case "number" -> {
                if (!value.isNumber()) {
                    out.add(path + ": must be a number");
                }
            }
            case "boolean" -> {
                if (!value.isBoolean()) {
                    out.add(path + ": must be true or false");
                }
            }
            default -> {
                // untyped (preserve-unknown-fields or anyOf): anything goes
            }
        }
    }

    private static boolean contains(JsonNode values, JsonNode value) {
        for (JsonNode v : values) {
            if (v.equals(value)) {
                return true;
            }
        }
        return false;
    }

    private static Map<String, JsonNode> load() {
        Map<String, JsonNode> out = new HashMap<>();
        for (String file : FILES) {
            try (InputStream in = CrdSchemas.class.getResourceAsStream("/crds/" + file)) {
                JsonNode crd = Rendered.YAML.readTree(in);
                String group = crd.path("spec").path("group").asText();
                String kind = crd.path("spec").path("names").path("kind").asText();
                for (JsonNode version : crd.path("spec").path("versions")) {
                    out.put(
                            group + "/" + version.path("name").asText() + "/" + kind,
                            version.path("schema").path("openAPIV3Schema"));
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot read CRD " + file, e);
            }
        }
        return out;
    }
}
