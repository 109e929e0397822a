package io.devopsconsole.platform.redaction;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Finds secret-looking material in JSON: keys that name secrets (password, token, secret,
 * private key, API key, credentials, authorization, cookie, ...) and values that look like
 * secrets whatever their key (PEM private-key blocks, bearer strings, JWTs, cloud and API keys,
 * passwords inside URLs, Codex {@code auth.json} contents). Used to refuse such input at the
 * edge and to redact it before storage.
 */
public final class SecretScanner {

    public static final String REDACTED = "[REDACTED]";

    private static final Pattern SECRET_KEY = Pattern.compile(
            "(?i)(^|[_.-])(pass(word|wd|phrase)?|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key"
                    + "|client[_-]?secret|credentials?|authorization|auth[_-]?token|cookie|session[_-]?token|refresh[_-]?token"
                    + "|id[_-]?token|openai[_-]?api[_-]?key|bearer)($|[_.-])");
    /**
     * Secret-looking values. Each rule has literal "needles" one of which any match must contain:
     * scanning every string of every event is the audit ingest's hot path, and a cheap
     * {@code indexOf} rules out almost all text before a regular expression (whose leading word
     * boundary is tried at every position) runs.
     */
    private record Rule(Pattern pattern, boolean caseInsensitive, String... needles) {
        boolean mayMatch(String text, String lower) {
            String haystack = caseInsensitive ? lower : text;
            for (String needle : needles) {
                if (haystack.contains(needle)) {
                    return true;
                }
            }
            return false;
        }
    }

    private static final Rule PRIVATE_KEY =
            new Rule(Pattern.compile("-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----"), false, "-----BEGIN ");
    private static final Rule[] SECRET_VALUES = {
        PRIVATE_KEY,
        new Rule(Pattern.compile("(?i)\\bbearer\\s+[A-Za-z0-9._~+/=-]{8,}"), true, "bearer"),
        new Rule(Pattern.compile("\\beyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}"), false, "eyJ"),
        new Rule(Pattern.compile("\\bAKIA[0-9A-Z]{16}\\b"), false, "AKIA"),
        new Rule(Pattern.compile("\\bsk-(proj-)?[A-Za-z0-9_-]{20,}"), false, "sk-"),
        new Rule(Pattern.compile("\\bgh[pousr]_[A-Za-z0-9]{30,}"), false, "ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
        new Rule(Pattern.compile("\\bxox[abpr]-[A-Za-z0-9-]{10,}"), false, "xoxa-", "xoxb-", "xoxp-", "xoxr-"),
        new Rule(Pattern.compile("[a-z][a-z0-9+.-]*://[^/\\s:@]+:[^/\\s@]+@"), false, "://"),
        new Rule(
                Pattern.compile("\"(OPENAI_API_KEY|refresh_token|access_token|id_token)\"\\s*:"),
                false,
                "\"OPENAI_API_KEY\"",
                "_token\""),
        new Rule(
                Pattern.compile("(?i)\\b(password|passwd|secret|token)\\s*[=:]\\s*\\S{4,}"),
                true,
                "passw",
                "secret",
                "token"),
    };

    private SecretScanner() {}

    /** Whether a key names a secret. */
    public static boolean isSecretKey(String key) {
        if (key == null) {
            return false;
        }
        Boolean known = KEY_VERDICTS.get(key);
        if (known != null) {
            return known;
        }
        boolean secret = SECRET_KEY.matcher(key.toLowerCase(Locale.ROOT)).find();
        if (KEY_VERDICTS.size() < MAX_REMEMBERED_KEYS) { // event schemas reuse a small set of keys
            KEY_VERDICTS.put(key, secret);
        }
        return secret;
    }

    private static final int MAX_REMEMBERED_KEYS = 10_000;
    private static final java.util.concurrent.ConcurrentHashMap<String, Boolean> KEY_VERDICTS =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** Whether a text holds a secret-looking value. */
    public static boolean hasSecretValue(String text) {
        if (text == null) {
            return false;
        }
        String lower = text.toLowerCase(Locale.ROOT);
        for (Rule rule : SECRET_VALUES) {
            if (rule.mayMatch(text, lower) && rule.pattern().matcher(text).find()) {
                return true;
            }
        }
        return false;
    }

    /** JSON paths ({@code details.env[2].value}) of every secret-looking key or value under {@code root}. */
    public static List<String> findings(JsonNode node, String root) {
        List<String> out = new ArrayList<>();
        walk(node, root, out);
        return out;
    }

    private static void walk(JsonNode node, String path, List<String> out) {
        if (node == null) {
            return;
        }
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                String child = path.isEmpty() ? f.getKey() : path + "." + f.getKey();
                if (isSecretKey(f.getKey())
                        && !f.getValue().isNull()
                        && !(f.getValue().isBoolean())) {
                    out.add(child);
                } else {
                    walk(f.getValue(), child, out);
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), path + "[" + i + "]", out);
            }
        } else if (node.isTextual() && hasSecretValue(node.asText())) {
            out.add(path.isEmpty() ? "(value)" : path);
        }
    }

    /** A copy of {@code node} with every secret-looking key's value and secret-looking text replaced. */
    public static Redacted redact(JsonNode node) {
        List<String> paths = new ArrayList<>();
        JsonNode copy = redact(node, "", paths);
        return new Redacted(copy, List.copyOf(paths));
    }

    /** The redacted document and where redaction happened. */
    public record Redacted(JsonNode json, List<String> paths) {
        public boolean changed() {
            return !paths.isEmpty();
        }
    }

    private static JsonNode redact(JsonNode node, String path, List<String> paths) {
        if (node == null) {
            return null;
        }
        if (node.isObject()) {
            ObjectNode copy = JsonNodeFactory.instance.objectNode();
            node.fields().forEachRemaining(f -> {
                String child = path.isEmpty() ? f.getKey() : path + "." + f.getKey();
                if (isSecretKey(f.getKey())
                        && !f.getValue().isNull()
                        && !f.getValue().isBoolean()) {
                    paths.add(child);
                    copy.set(f.getKey(), TextNode.valueOf(REDACTED));
                } else {
                    copy.set(f.getKey(), redact(f.getValue(), child, paths));
                }
            });
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = JsonNodeFactory.instance.arrayNode();
            for (int i = 0; i < node.size(); i++) {
                copy.add(redact(node.get(i), path + "[" + i + "]", paths));
            }
            return copy;
        }
        if (node.isTextual() && hasSecretValue(node.asText())) {
            paths.add(path.isEmpty() ? "(value)" : path);
            return TextNode.valueOf(redactText(node.asText()));
        }
        return node;
    }

    /** The text with each secret-looking run replaced. */
    public static String redactText(String text) {
        if (text == null) {
            return null;
        }
        if (PRIVATE_KEY.mayMatch(text, text)
                && PRIVATE_KEY.pattern().matcher(text).find()) {
            return REDACTED; // a private key block: nothing around it is worth keeping
        }
        String out = text;
        for (Rule rule : SECRET_VALUES) {
            if (rule.mayMatch(out, out.toLowerCase(Locale.ROOT))) {
                out = rule.pattern().matcher(out).replaceAll(REDACTED);
            }
        }
        return out;
    }
}
