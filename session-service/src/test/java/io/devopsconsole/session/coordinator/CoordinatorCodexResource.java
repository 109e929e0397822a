package io.devopsconsole.session.coordinator;

import io.devopsconsole.testkit.codex.CodexHome;
import io.devopsconsole.testkit.codex.ScriptedModelServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The coordinator's Codex for the tests: the real codex binary (installed by the build) as a local
 * app-server, its CODEX_HOME pointing at the scripted Responses-API model server (the one thing that
 * cannot run here), which calls a named dynamic tool when a message says {@code CALL_TOOL:<name> <json>}.
 */
public class CoordinatorCodexResource implements QuarkusTestResourceLifecycleManager {

    private ScriptedModelServer model;

    static Path codexBinary() {
        return CodexHome.binary();
    }

    @Override
    public Map<String, String> start() {
        try {
            Path codex = codexBinary();
            if (!Files.isExecutable(codex)) {
                throw new IllegalStateException("the real codex binary is missing at " + codex
                        + ": the build installs it (scripts/install-codex)");
            }
            model = ScriptedModelServer.start("127.0.0.1", 5);
            Path home = Path.of("target/coordinator/codex-home").toAbsolutePath();
            // a fresh home per run: threads of an earlier run are not this run's
            if (Files.exists(home)) {
                try (var paths = Files.walk(home)) {
                    paths.sorted(java.util.Comparator.reverseOrder())
                            .forEach(p -> p.toFile().delete());
                }
            }
            CodexHome.write(home, model.baseUrl());
            return Map.of(
                    "devops.coordinator.codex.binary", codex.toString(),
                    "devops.coordinator.codex.home", home.toString(),
                    "devops.coordinator.codex.workdir",
                            Path.of("target/coordinator/workdir")
                                    .toAbsolutePath()
                                    .toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        if (model != null) {
            model.close();
        }
    }
}
