package io.devopsconsole.console;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which service owns an {@code /api} path: by its first segments (ARCHITECTURE.md §2), with one
 * nested exception — WireGuard operations under {@code /api/tunnels/{id}/wireguard} belong to
 * onboarding-service while the rest of {@code /api/tunnels} is the registry's. Paths with dot
 * segments, encoded slashes or backslashes are refused before any routing.
 */
@ApplicationScoped
public class Routes {

    private static final Pattern WIREGUARD = Pattern.compile("^/api/tunnels/[^/]+/wireguard(/.*)?$");
    private static final Pattern SAFE_PATH = Pattern.compile("^/api(/[A-Za-z0-9._~!$&'()*+,;=:@-]+)*/?$");

    private final Map<String, String> byPrefix = new LinkedHashMap<>();
    private final String onboarding;

    public Routes(ConsoleConfig config) {
        ConsoleConfig.Services s = config.services();
        for (String p : new String[] {
            "projects", "sites", "network-rules", "ssh-targets", "tunnels", "runtime-profiles", "remote-access"
        }) {
            byPrefix.put(p, s.registry());
        }
        for (String p : new String[] {"sessions", "usage", "handoffs", "coordinator", "approvals"}) {
            byPrefix.put(p, s.session());
        }
        for (String p : new String[] {"workers", "targets"}) {
            byPrefix.put(p, s.agent());
        }
        for (String p :
                new String[] {"agent-target-onboarding", "install-plans", "host-workflows", "codex-auth", "ssh-keys"}) {
            byPrefix.put(p, s.onboarding());
        }
        byPrefix.put("audit", s.audit());
        this.onboarding = s.onboarding();
    }

    /** The owning service's base URL, or empty for a path no service owns (or an unsafe one). */
    public Optional<String> owner(String path) {
        if (path == null
                || !SAFE_PATH.matcher(path).matches()
                || path.contains("/../")
                || path.endsWith("/..")
                || path.contains("/./")
                || path.endsWith("/.")) {
            return Optional.empty();
        }
        if (WIREGUARD.matcher(path).matches()) {
            return Optional.of(onboarding);
        }
        if (!path.startsWith("/api/")) {
            return Optional.empty();
        }
        String rest = path.substring("/api/".length());
        int slash = rest.indexOf('/');
        String first = slash < 0 ? rest : rest.substring(0, slash);
        return Optional.ofNullable(byPrefix.get(first));
    }
}
