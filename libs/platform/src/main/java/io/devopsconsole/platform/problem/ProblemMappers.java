package io.devopsconsole.platform.problem;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.persistence.OptimisticLockException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.hibernate.StaleStateException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * One small mapper per exception type, each answering RFC 9457 problem+json. There is no
 * catch-all: an unexpected exception stays a 500 without internals in the body, and is logged.
 */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response invalidField(InvalidFieldException e) {
        return Problem.invalid(e.errors()).toResponse();
    }

    @ServerExceptionMapper
    public Response constraintViolation(ConstraintViolationException e) {
        List<Problem.FieldError> errors = new ArrayList<>();
        for (ConstraintViolation<?> violation : e.getConstraintViolations()) {
            errors.add(new Problem.FieldError(fieldOf(violation.getPropertyPath()), violation.getMessage()));
        }
        errors.sort(Comparator.comparing(Problem.FieldError::field).thenComparing(Problem.FieldError::message));
        return Problem.invalid(errors).toResponse();
    }

    @ServerExceptionMapper
    public Response unknownField(UnrecognizedPropertyException e) {
        String path = JsonNames.path(e.getPath());
        return Problem.invalid(List.of(new Problem.FieldError(path, "unknown field")))
                .toResponse();
    }

    @ServerExceptionMapper
    public Response invalidFormat(InvalidFormatException e) {
        String path = JsonNames.path(e.getPath());
        String expected = e.getTargetType() == null ? "another type" : describe(e.getTargetType());
        return Problem.invalid(List.of(new Problem.FieldError(path, "must be " + expected)))
                .toResponse();
    }

    @ServerExceptionMapper
    public Response mismatchedInput(MismatchedInputException e) {
        String path = JsonNames.path(e.getPath());
        String expected = e.getTargetType() == null ? "a different JSON type" : describe(e.getTargetType());
        String message = "(body)".equals(path)
                        && e.getMessage() != null
                        && e.getMessage().contains("No content")
                ? "a JSON body is required"
                : "must be " + expected;
        return Problem.invalid(List.of(new Problem.FieldError(path, message))).toResponse();
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonParseException e) {
        String where = e.getLocation() == null
                ? ""
                : " at line " + e.getLocation().getLineNr() + ", column "
                        + e.getLocation().getColumnNr();
        return Problem.invalid(List.of(new Problem.FieldError("(body)", "malformed JSON" + where)))
                .toResponse();
    }

    /** JSON beyond the reader's limits (nesting deeper than 1,000 levels, numbers or strings too long): a 400, logged. */
    @ServerExceptionMapper
    public Response beyondLimits(com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
        org.jboss.logging.Logger.getLogger(ProblemMappers.class)
                .infof("request body refused: %s", e.getOriginalMessage());
        return Problem.invalid(List.of(new Problem.FieldError(
                        "(body)",
                        "beyond the JSON limits (nesting up to 1000 levels," + " numbers up to 1000 digits): "
                                + e.getOriginalMessage())))
                .toResponse();
    }

    @ServerExceptionMapper
    public Response otherMapping(JsonMappingException e) {
        String path = JsonNames.path(e.getPath());
        return Problem.invalid(List.of(new Problem.FieldError(path, "cannot be read")))
                .toResponse();
    }

    @ServerExceptionMapper
    public Response notFound(ResourceNotFoundException e) {
        return Problem.of(Response.Status.NOT_FOUND, e.getMessage()).toResponse();
    }

    @ServerExceptionMapper
    public Response conflict(ConflictException e) {
        Problem base = Problem.of(Response.Status.CONFLICT, e.getMessage());
        List<Problem.FieldError> errors =
                e.field() == null ? null : List.of(new Problem.FieldError(e.field(), e.getMessage()));
        return new Problem(base.type(), base.title(), base.status(), base.detail(), null, errors).toResponse();
    }

    @ServerExceptionMapper
    public Response optimisticLock(OptimisticLockException e) {
        return staleVersion();
    }

    @ServerExceptionMapper
    public Response staleState(StaleStateException e) {
        return staleVersion();
    }

    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException e) {
        return Problem.of(Response.Status.UNAUTHORIZED, "a valid bearer token is required")
                .toResponse();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        String detail = e.getMessage() == null || e.getMessage().isBlank()
                ? "your roles do not allow this operation"
                : e.getMessage();
        return Problem.of(Response.Status.FORBIDDEN, detail).toResponse();
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        // The JSON reader wraps parse failures; answer them like the unwrapped ones.
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            if (cause instanceof JsonParseException parse) {
                return malformedJson(parse);
            }
            if (cause instanceof UnrecognizedPropertyException unknown) {
                return unknownField(unknown);
            }
            if (cause instanceof InvalidFormatException format) {
                return invalidFormat(format);
            }
            if (cause instanceof MismatchedInputException mismatch) {
                return mismatchedInput(mismatch);
            }
        }
        Response original = e.getResponse();
        if (original.getEntity() instanceof Problem) {
            return original;
        }
        int status = original.getStatus();
        if (status >= 500) {
            LOG.errorf(e, "request failed with %d", status);
        }
        Response.StatusType type = original.getStatusInfo();
        String detail = status >= 500 ? "the server could not complete the request" : e.getMessage();
        return Problem.of(status, type.getReasonPhrase(), detail).toResponse();
    }

    private static Response staleVersion() {
        return new Problem(
                        "https://devopsconsole.io/problems/stale-version",
                        "Conflict",
                        409,
                        "the resource was changed by someone else; reload it and apply your change to the current version",
                        null,
                        List.of(new Problem.FieldError("version", "is not the current version")))
                .toResponse();
    }

    private static String fieldOf(Path path) {
        // Method-parameter paths look like "create.request.defaultWorkingDirectory": drop the method and the
        // parameter name, keep the bean path in JSON spelling.
        List<String> names = new ArrayList<>();
        for (Path.Node node : path) {
            switch (node.getKind()) {
                case METHOD, CONSTRUCTOR, RETURN_VALUE, CROSS_PARAMETER -> names.clear();
                case PARAMETER -> {
                    names.clear();
                    names.add("\u0000" + node.getName());
                }
                default -> {
                    // Hibernate Validator puts a list index on the node after the list: bindings[0].working_directory
                    if (node.isInIterable() && !names.isEmpty()) {
                        Object position = node.getIndex() != null ? node.getIndex() : node.getKey();
                        if (position != null) {
                            names.set(names.size() - 1, names.get(names.size() - 1) + "[" + position + "]");
                        }
                    }
                    if (node.getKind() != jakarta.validation.ElementKind.CONTAINER_ELEMENT && node.getName() != null) {
                        names.add(JsonNames.snake(node.getName()));
                    }
                }
            }
        }
        if (names.size() > 1 && names.get(0).startsWith("\u0000")) {
            names.remove(0);
        } else if (names.size() == 1 && names.get(0).startsWith("\u0000")) {
            // a query or path parameter: use its name as declared
            return JsonNames.snake(names.get(0).substring(1));
        }
        return names.isEmpty() ? "(body)" : String.join(".", names);
    }

    private static String describe(Class<?> type) {
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "an integer";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type.isEnum()) {
            List<String> values = new ArrayList<>();
            for (Object constant : type.getEnumConstants()) {
                values.add(constant.toString().toLowerCase());
            }
            return "one of " + values;
        }
        if (type == java.util.UUID.class) {
            return "a UUID";
        }
        if (type.isArray() || java.util.Collection.class.isAssignableFrom(type)) {
            return "an array";
        }
        return "a " + type.getSimpleName().toLowerCase() + " value";
    }
}
