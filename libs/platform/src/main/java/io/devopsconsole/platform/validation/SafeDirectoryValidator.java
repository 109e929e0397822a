package io.devopsconsole.platform.validation;

import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;

import java.util.regex.Pattern;

/** Checks {@link SafeDirectory}. */
public class SafeDirectoryValidator implements ConstraintValidator<SafeDirectory, String> {

    static final int MAX_LENGTH = 1024;
    private static final Pattern ALLOWED = Pattern.compile("/|(/[A-Za-z0-9._+@-]+)+");

    @Override
    public boolean isValid(String value, ConstraintValidatorContext context) {
        return value == null || isSafe(value);
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
}
