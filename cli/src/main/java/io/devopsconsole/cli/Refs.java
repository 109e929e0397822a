package io.devopsconsole.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/** Names people type for things (a project's slug or name, a target's name) turned into the console's ids. */
final class Refs {

    private Refs() {}

    static boolean isId(String ref) {
        try {
            UUID.fromString(ref);
            return ref.length() == 36;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** A project by id, slug or name (case-insensitive); one match or a refusal naming the choices. */
    static JsonNode project(Api api, String ref) {
        if (isId(ref)) {
            return api.get("/api/projects/" + ref);
        }
        return one("project", ref, api.get("/api/projects?size=200").path("items"), "slug", "name");
    }

    /** An SSH target by id or name. */
    static JsonNode target(Api api, String ref) {
        if (isId(ref)) {
            return api.get("/api/ssh-targets/" + ref);
        }
        return one("target", ref, api.get("/api/ssh-targets?size=200").path("items"), "name", "host");
    }

    private static JsonNode one(String what, String ref, JsonNode items, String... fields) {
        String wanted = ref.toLowerCase(Locale.ROOT);
        for (String field : fields) {
            List<JsonNode> found = new ArrayList<>();
            for (JsonNode item : items) {
                if (item.path(field).asText("").toLowerCase(Locale.ROOT).equals(wanted)) {
                    found.add(item);
                }
            }
            if (found.size() == 1) {
                return found.get(0);
            }
            if (found.size() > 1) {
                throw new CliException(
                        CliException.REFUSED,
                        "more than one " + what + " is called " + Inert.cell(ref) + "; use its id: "
                                + String.join(
                                        ", ",
                                        found.stream()
                                                .map(f -> f.path("id").asText())
                                                .toList()));
            }
        }
        throw new CliException(CliException.REFUSED, "no " + what + " is called " + Inert.cell(ref));
    }
}
