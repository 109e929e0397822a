package io.devopsconsole.platform.codex;

import io.devopsconsole.events.registry.RuntimeProfileState.CodexOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a runtime profile's Codex options may contain. The registry refuses anything else with a
 * field error; the agent-runner checks again before an option reaches a command line, so a value
 * that slipped past (an old event, a hand-edited row) stops the launch instead of changing it.
 * Every allowed character set excludes quotes, backslashes, whitespace and shell metacharacters.
 */
public final class CodexOptionRules {

    private static final Pattern MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}");
    /** A provider name is also a TOML key segment ({@code model_providers.<name>.base_url}). */
    private static final Pattern PROVIDER = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

    private static final Pattern URL_CHARS = Pattern.compile("[A-Za-z0-9._~:/\\[\\]@%+-]{1,512}");
    public static final Set<String> APPROVAL_POLICIES = Set.of("untrusted", "on-request", "never");
    public static final Set<String> SANDBOX_MODES = Set.of("read-only", "workspace-write", "danger-full-access");

    private CodexOptionRules() {}

    /** Field name (snake_case, as the API names it) → what is wrong; empty when the options are acceptable. */
    public static Map<String, String> problems(CodexOptions o) {
        Map<String, String> problems = new LinkedHashMap<>();
        if (o == null) {
            return problems;
        }
        if (o.model() != null && !MODEL.matcher(o.model()).matches()) {
            problems.put("model", "letters, digits and . _ : / - only, at most 128, starting with a letter or digit");
        }
        if (o.modelProvider() != null && !PROVIDER.matcher(o.modelProvider()).matches()) {
            problems.put("model_provider", "lower-case letters, digits, _ and - only, at most 64");
        }
        if (o.modelBaseUrl() != null) {
            String why = baseUrlProblem(o.modelBaseUrl());
            if (why != null) {
                problems.put("model_base_url", why);
            }
            if (o.modelProvider() == null) {
                problems.put("model_provider", "a base URL needs the provider name it configures");
            }
        }
        if (o.approvalPolicy() != null && !APPROVAL_POLICIES.contains(o.approvalPolicy())) {
            problems.put("approval_policy", "one of " + String.join(", ", sorted(APPROVAL_POLICIES)));
        }
        if (o.sandboxMode() != null && !SANDBOX_MODES.contains(o.sandboxMode())) {
            problems.put("sandbox_mode", "one of " + String.join(", ", sorted(SANDBOX_MODES)));
        }
        return problems;
    }

    private static String baseUrlProblem(String url) {
        if (!URL_CHARS.matcher(url).matches()) {
            return "an http(s) URL of at most 512 characters: letters, digits and . _ ~ : / [ ] @ % + - only";
        }
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                return "must start with http:// or https://";
            }
            if (uri.getHost() == null) {
                return "must name a host";
            }
            if (uri.getRawUserInfo() != null) {
                return "must not carry credentials (use the provider's key reference)";
            }
            if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
                return "must not have a query or fragment";
            }
            if (metadataOrLinkLocal(uri.getHost())) {
                return "must not point at a link-local or cloud metadata address";
            }
        } catch (URISyntaxException e) {
            return "is not a URL";
        }
        return null;
    }

    /** Names and address literals of cloud metadata services, link-local and unspecified addresses (no DNS lookup). */
    static boolean metadataOrLinkLocal(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.equals("metadata")
                || h.equals("metadata.google.internal")
                || h.endsWith(".metadata.google.internal")
                || h.equals("instance-data")
                || h.equals("instance-data.ec2.internal")) {
            return true;
        }
        boolean v4 = h.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
        boolean v6 = h.indexOf(':') >= 0 && h.matches("[0-9a-f:.%a-z]+");
        if (!v4 && !v6) {
            return false;
        }
        try {
            java.net.InetAddress a = java.net.InetAddress.getByName(h); // a literal: no lookup
            return a.isLinkLocalAddress() || a.isAnyLocalAddress() || h.startsWith("fd00:ec2:");
        } catch (java.net.UnknownHostException e) {
            return true;
        }
    }

    private static java.util.List<String> sorted(Set<String> values) {
        return values.stream().sorted().toList();
    }
}
