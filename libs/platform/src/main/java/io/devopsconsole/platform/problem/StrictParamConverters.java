package io.devopsconsole.platform.problem;

import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.ext.ParamConverter;
import jakarta.ws.rs.ext.ParamConverterProvider;
import jakarta.ws.rs.ext.Provider;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Query and header parameters that do not parse are a client mistake: answer 400 problem+json
 * naming the parameter (JAX-RS would otherwise answer a bare 404), and refuse the values plain
 * JAX-RS conversion would silently accept ("yes" as false).
 */
@Provider
public class StrictParamConverters implements ParamConverterProvider {

    @Override
    @SuppressWarnings("unchecked")
    public <T> ParamConverter<T> getConverter(Class<T> rawType, Type genericType, Annotation[] annotations) {
        String name = parameterName(annotations);
        if (name == null) {
            return null;
        }
        if (rawType == Integer.class || rawType == int.class) {
            return (ParamConverter<T>) converter(name, "an integer", Integer::valueOf);
        }
        if (rawType == Long.class || rawType == long.class) {
            return (ParamConverter<T>) converter(name, "an integer", Long::valueOf);
        }
        if (rawType == Boolean.class || rawType == boolean.class) {
            return (ParamConverter<T>) converter(name, "true or false", StrictParamConverters::strictBoolean);
        }
        if (rawType.isEnum()) {
            List<String> values = java.util.Arrays.stream(rawType.getEnumConstants())
                    .map(Object::toString)
                    .toList();
            return (ParamConverter<T>) converter(name, "one of " + values, v -> enumValue(rawType, v));
        }
        if (rawType == String.class) {
            return (ParamConverter<T>) textConverter(name);
        }
        if (rawType == OffsetDateTime.class) {
            return (ParamConverter<T>)
                    converter(name, "an ISO-8601 time with offset, e.g. 2026-11-22T10:00:00Z", OffsetDateTime::parse);
        }
        return null;
    }

    /** Text parameters are taken as they are, but never with a character PostgreSQL cannot compare (NUL). */
    private static ParamConverter<String> textConverter(String name) {
        return new ParamConverter<>() {
            @Override
            public String fromString(String value) {
                if (value != null && !io.devopsconsole.platform.text.StoredText.storable(value)) {
                    throw new WebApplicationException(Problem.invalid(List.of(new Problem.FieldError(
                                    name, "must not contain NUL or unpaired surrogate characters")))
                            .toResponse());
                }
                return value;
            }

            @Override
            public String toString(String value) {
                return value;
            }
        };
    }

    private static <V> ParamConverter<V> converter(String name, String expected, Function<String, V> parse) {
        return new ParamConverter<>() {
            @Override
            public V fromString(String value) {
                if (value == null) {
                    return null;
                }
                try {
                    return parse.apply(value.strip());
                } catch (IllegalArgumentException | DateTimeParseException e) {
                    throw new WebApplicationException(
                            Problem.invalid(List.of(new Problem.FieldError(name, "must be " + expected)))
                                    .toResponse());
                }
            }

            @Override
            public String toString(V value) {
                return value == null ? null : value.toString();
            }
        };
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object enumValue(Class<?> type, String value) {
        return Enum.valueOf((Class) type, value);
    }

    private static Boolean strictBoolean(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> throw new IllegalArgumentException(value);
        };
    }

    private static String parameterName(Annotation[] annotations) {
        if (annotations == null) {
            return null;
        }
        for (Annotation a : annotations) {
            if (a instanceof QueryParam q) {
                return q.value();
            }
            if (a instanceof HeaderParam h) {
                return h.value();
            }
            if (a instanceof org.jboss.resteasy.reactive.RestQuery q) {
                return q.value();
            }
            if (a instanceof BeanParam) {
                return null;
            }
        }
        return null;
    }
}
