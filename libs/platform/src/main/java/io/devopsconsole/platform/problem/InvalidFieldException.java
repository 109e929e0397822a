package io.devopsconsole.platform.problem;

import java.util.List;

/** A request field failed a rule that annotations cannot express; answered 400 naming the field. */
public class InvalidFieldException extends RuntimeException {

    private final List<Problem.FieldError> errors;

    public InvalidFieldException(String field, String message) {
        this(List.of(new Problem.FieldError(field, message)));
    }

    public InvalidFieldException(List<Problem.FieldError> errors) {
        super(
                errors.isEmpty()
                        ? "invalid request"
                        : errors.get(0).field() + ": " + errors.get(0).message());
        this.errors = List.copyOf(errors);
    }

    public List<Problem.FieldError> errors() {
        return errors;
    }
}
