package io.devopsconsole.testkit.codex;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A CODEX_HOME for tests and benches (keep it outside /tmp: codex warns there): the scripted model
 * server as provider {@code mock}, with retries off so failures surface at once.
 */
public final class CodexHome {

    private CodexHome() {}

    /** The codex version the tests pin (scripts/install-codex installs it). */
    public static final String CODEX_VERSION = "0.169.0";

    /**
     * The real codex binary scripts/install-codex put in its cache ({@code DEVOPS_CODEX_CACHE}, or
     * {@code ~/.cache/devops-console/codex-<version>}).
     */
    public static Path binary() {
        String cache = System.getenv()
                .getOrDefault(
                        "DEVOPS_CODEX_CACHE",
                        System.getProperty("user.home") + "/.cache/devops-console/codex-" + CODEX_VERSION);
        return Path.of(cache, "node_modules/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex");
    }

    public static Path write(Path home, String modelBaseUrl) throws IOException {
        Files.createDirectories(home);
        Files.writeString(home.resolve("config.toml"), """
                model = "mock-model"
                model_provider = "mock"

                [model_providers.mock]
                name = "mock"
                base_url = "%s"
                wire_api = "responses"
                request_max_retries = 0
                stream_max_retries = 0
                """.formatted(modelBaseUrl));
        return home;
    }
}
