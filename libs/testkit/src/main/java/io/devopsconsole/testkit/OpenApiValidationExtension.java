package io.devopsconsole.testkit;

import java.lang.annotation.Annotation;
import java.util.Arrays;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Puts {@link OpenApiValidation} in front of every REST Assured call of every {@code @QuarkusTest}
 * (registered through {@code META-INF/services}; the build enables JUnit's extension autodetection),
 * so each answer a service's tests receive is checked against the service's OpenAPI document. A
 * Quarkus test class lives in Quarkus's own class loader, and so does the REST Assured it calls: the
 * filter is installed through that loader.
 */
public class OpenApiValidationExtension implements BeforeAllCallback {

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Class<?> test = context.getRequiredTestClass();
        boolean quarkus = Arrays.stream(test.getAnnotations())
                .map(Annotation::annotationType)
                .map(Class::getName)
                .anyMatch("io.quarkus.test.junit.QuarkusTest"::equals);
        if (quarkus) {
            Class.forName(OpenApiValidation.class.getName(), true, test.getClassLoader())
                    .getMethod("install")
                    .invoke(null);
        }
    }
}
