package io.devopsconsole.onboarding.intake;

import io.devopsconsole.platform.validation.HostNames;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Deterministic extraction of an onboarding request from an operator's sentence ("I have a new
 * server for you to onboard, it's at 10.76.22.150, call it devOps-test-001"): host, inventory
 * name, SSH user, port and environment, each with where it came from. No model, no guessing
 * beyond fixed phrasings: what is not said stays empty (defaults and network-rule inference are
 * applied later, and only there). Every extracted value is checked with the same rules the
 * registry applies (host syntax, name, user, port), so nothing unchecked travels further.
 */
public final class IntakeParser {

    /** What the sentence said: values, and for each the phrase it was taken from. */
    public record Extracted(
            String host, String name, String user, Integer port, String environment, Map<String, String> evidence) {

        public Optional<String> missingName() {
            return name == null ? Optional.of("name") : Optional.empty();
        }
    }

    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    static final Pattern USER = Pattern.compile("[a-z_][a-z0-9_-]{0,31}");

    private static final String HOST_TOKEN =
            "(\\[[0-9A-Fa-f:.]+\\]|[0-9A-Fa-f]*:[0-9A-Fa-f:.]+|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)";
    private static final Pattern USER_AT_HOST =
            Pattern.compile("\\b([a-z_][a-z0-9_-]{0,31})@" + HOST_TOKEN + "(?::(\\d{1,5}))?");
    private static final Pattern HOST_AFTER = Pattern.compile(
            "\\b(?:it'?s at|it is at|is at|at|host(?:name)?|address|ip(?: address)?|server)\\s*(?:is|=|:)?\\s*"
                    + HOST_TOKEN + "(?::(\\d{1,5}))?",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern IPV4_ANYWHERE = Pattern.compile("\\b(\\d{1,3}(?:\\.\\d{1,3}){3})(?::(\\d{1,5}))?\\b");
    private static final Pattern NAME_AFTER = Pattern.compile(
            "\\b(?:call it|name it|named|called|name(?:d)?\\s*(?:is|=|:)|inventory name\\s*(?:is|=|:)?)\\s*[\"'`]?([^\\s,;\"'`]+)",
            Pattern.CASE_INSENSITIVE);
    /** "onboard 10.20.1.15 as web-3": a name right after the address (the console's own example wording). */
    private static final Pattern NAME_AS = Pattern.compile(
            "(?:\\d{1,3}(?:\\.\\d{1,3}){3}|\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)+)(?::\\d{1,5})?"
                    + "\\s+as\\s+[\"'`]?([A-Za-z0-9][A-Za-z0-9._-]{0,62})\\b");

    private static final Pattern USER_AFTER = Pattern.compile(
            "\\b(?:as user|user(?:name)?\\s*(?:is|=|:)?|log ?in as|login as|ssh as|connect as|as)\\s+[\"'`]?([a-z_][a-z0-9_-]{0,31})\\b");
    private static final Pattern PORT_AFTER =
            Pattern.compile("\\b(?:port|ssh port)\\s*(?:is|=|:)?\\s*(\\d{1,5})\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern PRODUCTION =
            Pattern.compile("(?<![\\w.-])(production|prod)(?![\\w.-])", Pattern.CASE_INSENSITIVE);
    private static final Pattern STAGING =
            Pattern.compile("(?<![\\w.-])(staging|stage)(?![\\w.-])", Pattern.CASE_INSENSITIVE);
    private static final Pattern LAB =
            Pattern.compile("(?<![\\w.-])(lab|test server|testing)(?![\\w.-])", Pattern.CASE_INSENSITIVE);
    private static final java.util.Set<String> NOT_USERS =
            java.util.Set.of("a", "an", "the", "it", "is", "user", "root's");
    private static final java.util.Set<String> NOT_HOSTS =
            java.util.Set.of("a", "an", "the", "it", "is", "port", "user");

    private IntakeParser() {}

    /** Extracts what the request says; {@link IllegalArgumentException} naming the field when a stated value is invalid. */
    public static Extracted parse(String request) {
        if (request == null || request.isBlank()) {
            throw new IllegalArgumentException("request: say which server to onboard");
        }
        if (request.length() > 2000) {
            throw new IllegalArgumentException("request: at most 2000 characters");
        }
        String text = request.strip();
        Map<String, String> evidence = new LinkedHashMap<>();
        String host = null;
        String user = null;
        Integer port = null;

        Matcher m = USER_AT_HOST.matcher(text);
        if (m.find() && HostNames.isValid(m.group(2))) {
            user = m.group(1);
            host = m.group(2);
            evidence.put("user", m.group());
            evidence.put("host", m.group());
            if (m.group(3) != null) {
                port = port(m.group(3));
                evidence.put("port", m.group());
            }
        }
        if (host == null) {
            Matcher ip = IPV4_ANYWHERE.matcher(text);
            if (ip.find()) {
                if (!HostNames.isIpv4(ip.group(1))) {
                    throw new IllegalArgumentException("host: " + ip.group(1) + " is not an IPv4 address");
                }
                host = ip.group(1);
                evidence.put("host", ip.group());
                if (ip.group(2) != null) {
                    port = port(ip.group(2));
                    evidence.put("port", ip.group());
                }
            }
        }
        if (host == null) {
            Matcher h = HOST_AFTER.matcher(text);
            int from = 0;
            while (from < text.length() && h.find(from)) {
                from = h.start() + 1;
                String candidate = trimDot(h.group(1));
                if (NOT_HOSTS.contains(candidate.toLowerCase(Locale.ROOT))
                        || !HostNames.isValid(candidate)
                        || !(candidate.contains(".") || candidate.contains(":"))) {
                    continue;
                }
                host = candidate;
                evidence.put("host", h.group());
                if (h.group(2) != null) {
                    port = port(h.group(2));
                    evidence.put("port", h.group());
                }
                break;
            }
        }
        String name = null;
        Matcher n = NAME_AFTER.matcher(text);
        if (!n.find()) {
            n = NAME_AS.matcher(text);
        } else {
            n.reset();
        }
        if (n.find()) {
            name = trimDot(n.group(1).replaceAll("[\"'`]+$", ""));
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException(
                        "name: letters, digits and . _ - (1-63, starting with a letter or digit)");
            }
            evidence.put("name", n.group());
        }
        if (user == null) {
            Matcher u = USER_AFTER.matcher(text);
            while (u.find()) {
                String candidate = u.group(1);
                if (NOT_USERS.contains(candidate) || candidate.equals(name)) {
                    continue;
                }
                user = candidate;
                evidence.put("user", u.group());
                break;
            }
        }
        if (port == null) {
            Matcher p = PORT_AFTER.matcher(text);
            if (p.find()) {
                port = port(p.group(1));
                evidence.put("port", p.group());
            }
        }
        String environment = null;
        for (var e :
                Map.of("production", PRODUCTION, "staging", STAGING, "lab", LAB).entrySet()) {
            Matcher env = e.getValue().matcher(text);
            if (env.find() && (environment == null || e.getKey().equals("production"))) {
                environment = e.getKey();
                evidence.put("environment", env.group());
            }
        }
        if (host != null) {
            host = HostNames.normalize(host);
        }
        return new Extracted(host, name, user, port, environment, evidence);
    }

    private static Integer port(String digits) {
        int p = Integer.parseInt(digits);
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("port: 1-65535");
        }
        return p;
    }

    private static String trimDot(String s) {
        String out = s;
        while (out.endsWith(".") || out.endsWith(",")) {
            out = out.substring(0, out.length() - 1);
        }
        return out;
    }
}
