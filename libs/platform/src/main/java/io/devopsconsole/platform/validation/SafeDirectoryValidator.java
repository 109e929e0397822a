package io.devopsconsole.platform.validation;

import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import java.util.regex.Pattern;

/** Checks {@link SafeDirectory}. */
public class SafeDirectoryValidator implements ConstraintValidator<SafeDirectory, String> {

    static final int MAX_LENGTH = 1024;
    private static final Pattern ALLOWED = Pattern.compile("/|(/[A-Za-z0-9._+@-]+)+");

    private boolean workspace;

    @Override
    public void initialize(SafeDirectory annotation) {
        workspace = annotation.workspace();
    }

    @Override
    public boolean isValid(String value, ConstraintValidatorContext context) {
        if (value == null) {
            return true;
        }
        if (workspace && isSafe(value) && !isSafeWorkspace(value)) {
            context.disableDefaultConstraintViolation();
            context.buildConstraintViolationWithTemplate(
                            "must not be a system or credentials directory (/, /etc, /proc," + " /usr, .ssh, ...)")
                    .addConstraintViolation();
            return false;
        }
        return isSafe(value);
    }

    /** A safe path that is also fit to work in: no system or credentials directory, nothing inside one. */
    public static boolean isSafeWorkspace(String path) {
        if (!isSafe(path) || systemPath(path)) {
            return false;
        }
        for (String segment : path.split("/")) {
            if (CREDENTIAL_DIRS.contains(segment)) {
                return false;
            }
        }
        return true;
    }

    public static boolean isSafe(String path) {
        if (path.length() > MAX_LENGTH || !ALLOWED.matcher(path).matches()) {
            return false;
        }
        for (String segment : path.split("/")) {
            if (segment.equals(".") || segment.equals("..") || segment.startsWith("-")) {
                return false;
            }
        }
        return true;
    }

    /** The system's own directories: never a place an agent works in (nor their contents). */
    private static final java.util.List<String> SYSTEM = java.util.List.of(
            "/etc",
            "/proc",
            "/sys",
            "/dev",
            "/boot",
            "/bin",
            "/sbin",
            "/lib",
            "/lib32",
            "/lib64",
            "/libx32",
            "/usr",
            "/run",
            "/var/run",
            "/var/lib",
            "/var/log");

    /** Directories that hold credentials, wherever they are. */
    private static final java.util.Set<String> CREDENTIAL_DIRS =
            java.util.Set.of(".ssh", ".gnupg", ".aws", ".kube", ".docker", ".codex", ".config");

    static boolean systemPath(String path) {
        if (path.equals("/") || path.equals("/root") || path.equals("/home") || path.equals("/var")) {
            return true;
        }
        for (String system : SYSTEM) {
            if (path.equals(system) || path.startsWith(system + "/")) {
                return true;
            }
        }
        return false;
    }
}
