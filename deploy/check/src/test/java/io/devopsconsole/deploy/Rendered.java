package io.devopsconsole.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * An overlay of deploy/k8s as {@code kubectl kustomize} renders it (kubectl is installed from the
 * machine's apt sources when missing), one JSON tree per object; and the repository's files the
 * checks compare it with.
 */
final class Rendered {

    static final Path ROOT = repositoryRoot();
    static final Path K8S = ROOT.resolve("deploy/k8s");
    static final ObjectMapper YAML = new YAMLMapper();
    private static final Map<String, List<JsonNode>> CACHE = new ConcurrentHashMap<>();

    private Rendered() {}

    static List<String> overlays() {
        return List.of("dev", "prod");
    }

    static List<JsonNode> objects(String overlay) {
        return CACHE.computeIfAbsent(overlay, Rendered::render);
    }

    static Stream<JsonNode> ofKind(String overlay, String kind) {
        return objects(overlay).stream().filter(o -> o.path("kind").asText().equals(kind));
    }

    static Optional<JsonNode> find(String overlay, String kind, String name) {
        return ofKind(overlay, kind)
                .filter(o -> o.path("metadata").path("name").asText().equals(name))
                .findFirst();
    }

    static String name(JsonNode o) {
        return o.path("metadata").path("name").asText();
    }

    /** What the overlay uses but does not define (made by an operator, or by the person deploying): {@code provided.yaml}. */
    static JsonNode provided(String overlay) {
        try {
            return YAML.readTree(K8S.resolve("overlays")
                    .resolve(overlay)
                    .resolve("provided.yaml")
                    .toFile());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<JsonNode> render(String overlay) {
        try {
            String kubectl = kubectl();
            Path dir = K8S.resolve("overlays").resolve(overlay);
            Path generate = dir.resolve("generate-secrets");
            if (Files.isExecutable(generate)) {
                run(List.of(generate.toString()), dir);
            }
            String yaml = run(List.of(kubectl, "kustomize", dir.toString()), dir);
            List<JsonNode> out = new ArrayList<>();
            try (var parser = new YAMLFactory().createParser(yaml)) {
                var it = YAML.readValues(parser, JsonNode.class);
                while (it.hasNext()) {
                    JsonNode doc = it.next();
                    if (doc != null && !doc.isNull() && !doc.isEmpty()) {
                        out.add(doc);
                    }
                }
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("could not render overlay " + overlay + ": " + e.getMessage(), e);
        }
    }

    private static String kubectl() throws IOException {
        for (String candidate : List.of("/usr/bin/kubectl", "/usr/local/bin/kubectl")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        run(List.of("apt-get", "update", "-qq"), ROOT);
        run(List.of("env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-qq", "kubectl"), ROOT);
        if (!Files.isExecutable(Path.of("/usr/bin/kubectl"))) {
            throw new IOException("kubectl could not be installed (apt-get install kubectl)");
        }
        return "/usr/bin/kubectl";
    }

    /**
     * Starts this build's JVM with a service's JVM options and {@code -version}: an option the JVM does not know,
     * or one it refuses without an unlock, would stop that service from starting at all.
     */
    static void jvmAccepts(String options) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(options.trim().split("\\s+")));
        command.add("-version");
        run(command, ROOT);
    }

    static String run(List<String> command, Path dir) throws IOException {
        Process p = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(false)
                .start();
        byte[] out;
        byte[] err;
        try {
            var errReader = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return p.getErrorStream().readAllBytes();
                } catch (IOException e) {
                    return new byte[0];
                }
            });
            out = p.getInputStream().readAllBytes();
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish");
            }
            err = errReader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed (" + p.exitValue() + "): "
                    + new String(err, StandardCharsets.UTF_8));
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    private static Path repositoryRoot() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("deploy/k8s"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("deploy/k8s not found above " + System.getProperty("user.dir"));
        }
        return dir;
    }
}
