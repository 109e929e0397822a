package io.devopsconsole.session.stream;

import jakarta.ws.rs.NameBinding;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The {@code {id}} path parameter must name an existing session, checked before the resource
 * method runs: a stream's response starts (200, event-stream) the moment the method returns, so
 * an unknown session has to be refused earlier.
 */
@NameBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface KnownSession {}
