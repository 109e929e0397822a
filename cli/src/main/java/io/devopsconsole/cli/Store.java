package io.devopsconsole.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Where the CLI keeps what it knows between runs: {@code $DEVOPS_CONFIG_DIR}, else
 * {@code $XDG_CONFIG_HOME/devops}, else {@code ~/.config/devops} (mode 700). {@code login.json} holds the
 * console's URL, the issuer and client, and the tokens (mode 600, replaced atomically so two runs never
 * read half a file). Nothing else on disk holds a token.
 */
public final class Store {

    static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;

    public Store(Path dir) {
        this.dir = dir;
    }

    public static Store fromEnvironment() {
        String explicit = System.getenv("DEVOPS_CONFIG_DIR");
        if (explicit != null && !explicit.isBlank()) {
            return new Store(Path.of(explicit));
        }
        String xdg = System.getenv("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return new Store(base.resolve("devops"));
    }

    public Path file() {
        return dir.resolve("login.json");
    }

    /** The saved login, or null when there is none. */
    public ObjectNode read() throws IOException {
        Path f = file();
        if (!Files.exists(f)) {
            return null;
        }
        JsonNode node = JSON.readTree(f.toFile());
        return node instanceof ObjectNode o ? o : null;
    }

    public void write(ObjectNode login) throws IOException {
        // owner-only where the file system has POSIX permissions; elsewhere the user's profile directory protects it
        boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
        if (!Files.isDirectory(dir)) {
            if (posix) {
                Files.createDirectories(
                        dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectories(dir);
            }
        }
        Path tmp = Files.createTempFile(dir, ".login", ".tmp");
        try {
            if (posix) {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            }
            Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(login));
            try {
                Files.move(tmp, file(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file(), StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public boolean delete() throws IOException {
        return Files.deleteIfExists(file());
    }
}
