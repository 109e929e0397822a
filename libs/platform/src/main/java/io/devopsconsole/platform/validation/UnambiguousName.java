package io.devopsconsole.platform.validation;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.EnumSet;
import java.util.Set;

/**
 * A name people tell apart by reading it: no invisible format characters (bidi overrides and
 * isolates, zero-width characters) and no letters of look-alike scripts mixed in one name (Latin
 * with Cyrillic or Greek: {@code pаyments} with a Cyrillic {@code а} reads as {@code payments}).
 * Names wholly in one script (Cyrillic, Greek, CJK, ...) and accented Latin are fine.
 */
@Documented
@Constraint(validatedBy = UnambiguousName.Validator.class)
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
public @interface UnambiguousName {

    String message() default "mixes look-alike scripts or holds invisible characters, so it could read as another name";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    /** Checks {@link UnambiguousName}. */
    class Validator implements ConstraintValidator<UnambiguousName, String> {

        private static final Set<Character.UnicodeScript> LOOK_ALIKES =
                EnumSet.of(Character.UnicodeScript.CYRILLIC, Character.UnicodeScript.GREEK);

        @Override
        public boolean isValid(String value, ConstraintValidatorContext context) {
            return value == null || unambiguous(io.devopsconsole.platform.text.StoredText.decode(value));
        }

        public static boolean unambiguous(String value) {
            boolean latin = false;
            boolean lookAlike = false;
            for (int i = 0; i < value.length(); ) {
                int cp = value.codePointAt(i);
                i += Character.charCount(cp);
                if (Character.getType(cp) == Character.FORMAT) {
                    return false;
                }
                if (Character.isLetter(cp)) {
                    Character.UnicodeScript script = Character.UnicodeScript.of(cp);
                    latin |= script == Character.UnicodeScript.LATIN;
                    lookAlike |= LOOK_ALIKES.contains(script);
                }
            }
            return !(latin && lookAlike);
        }
    }
}
