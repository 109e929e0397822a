package io.devopsconsole.platform.validation;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A directory path that can be handed to a fixed remote command as one argument: absolute,
 * already normalized (no {@code .}/{@code ..} segments, no {@code //}, no trailing slash), and
 * made only of letters, digits and {@code . _ - + @ /} — no whitespace, quotes or shell
 * metacharacters. Null is valid (combine with {@code @NotNull} where required).
 */
@Documented
@Constraint(validatedBy = SafeDirectoryValidator.class)
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
public @interface SafeDirectory {

    String message() default "must be an absolute, normalized path without '..', whitespace or shell metacharacters";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    /**
     * A directory an agent works in: also never a system directory ({@code /}, {@code /etc},
     * {@code /proc}, {@code /usr}, ...) nor a credentials directory ({@code .ssh}, {@code .aws}, ...)
     * or anything inside one.
     */
    boolean workspace() default false;
}
