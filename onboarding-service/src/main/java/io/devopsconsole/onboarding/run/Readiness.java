package io.devopsconsole.onboarding.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What a readiness check found: hostname, user, working directory, node, npm, codex and bubblewrap. */
public record Readiness(
        String hostname, String user, String directory, String node, String npm, String codex, String bwrap) {

    public static Readiness of(Map<String, String> facts) {
        return new Readiness(
                blank(facts.get("hostname")),
                blank(facts.get("whoami")),
                blank(facts.get("pwd")),
                blank(facts.get("node")),
                blank(facts.get("npm")),
                blank(facts.get("codex")),
                blank(facts.get("bwrap")));
    }

    public static Readiness fromFacts(JsonNode facts) {
        return new Readiness(
                text(facts, "hostname"),
                text(facts, "user"),
                text(facts, "working_directory"),
                text(facts, "node"),
                text(facts, "npm"),
                text(facts, "codex"),
                text(facts, "bubblewrap"));
    }

    private static String text(JsonNode facts, String field) {
        JsonNode n = facts.path(field);
        return n.isTextual() && !n.asText().isEmpty() ? n.asText() : null;
    }

    private static String blank(String v) {
        return v == null || v.isBlank() ? null : v.strip();
    }

    public boolean complete() {
        return node != null && npm != null && codex != null && bwrap != null;
    }

    /** missing until codex and bubblewrap run; then auth is what is left. */
    public String codexStatus() {
        return codex != null && bwrap != null ? "installed_but_auth_required" : "missing";
    }

    public String codexVersion() {
        return codex;
    }

    public List<String> missing() {
        List<String> out = new ArrayList<>();
        if (node == null) {
            out.add("node");
        }
        if (npm == null) {
            out.add("npm");
        }
        if (codex == null) {
            out.add("codex");
        }
        if (bwrap == null) {
            out.add("bubblewrap");
        }
        return out;
    }

    public String summary() {
        return complete()
                ? "ready for Codex auth: node " + node + ", npm " + npm + ", " + codex + ", " + bwrap
                : "missing: " + String.join(", ", missing()) + " (host " + hostname + ", user " + user + ")";
    }

    /** The advisory plan text shown with a readiness result. */
    public String advisory() {
        if (complete()) {
            return "nothing to install";
        }
        return "install " + String.join(", ", missing())
                + " with the fixed sequence: apt update; apt install -y nodejs npm"
                + " bubblewrap; npm install -g @openai/codex; then check codex --version and bwrap --version";
    }

    public ObjectNode facts(ObjectMapper json) {
        ObjectNode n = json.createObjectNode()
                .put("hostname", hostname)
                .put("user", user)
                .put("working_directory", directory)
                .put("node", node)
                .put("npm", npm)
                .put("codex", codex)
                .put("bubblewrap", bwrap)
                .put("codex_status", codexStatus())
                .put("complete", complete());
        n.put("advisory_plan", advisory());
        return n;
    }
}
