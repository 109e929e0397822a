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

/** An IPv4/IPv6 literal or a DNS name (see {@link HostNames}). Null is valid. */
@Documented
@Constraint(validatedBy = ValidHost.Validator.class)
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
public @interface ValidHost {

    String message() default "must be an IPv4 or IPv6 address or a DNS name";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    /** Checks {@link ValidHost}. */
    class Validator implements ConstraintValidator<ValidHost, String> {
        @Override
        public boolean isValid(String value, ConstraintValidatorContext context) {
            return value == null || HostNames.isValid(value.strip()) && value.equals(value.strip());
        }
    }
}
