package io.devopsconsole.session.coordinator;

import jakarta.ws.rs.NameBinding;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The caller must have a coordinator conversation, checked before the resource method runs (a
 * stream's response starts the moment the method returns, so "no conversation yet" has to be a 404
 * before that); the filter leaves its id in the request property {@value #PROPERTY}.
 */
@NameBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface OwnConversation {
    String PROPERTY = "devops.coordinator.conversation";
}
