package io.devopsconsole.platform.text;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A request body taken byte for byte (an uploaded file): {@link StoredTextBodies} leaves it alone even
 * when it is JSON, so what is stored is exactly what was sent.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.PARAMETER, ElementType.METHOD})
public @interface RawBody {}
