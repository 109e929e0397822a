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
