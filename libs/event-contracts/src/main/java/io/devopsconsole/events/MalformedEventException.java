package io.devopsconsole.events;

/** A record on a topic that is not a CloudEvent this project can read. */
public class MalformedEventException extends Exception {

    public MalformedEventException(String message) {
        super(message);
    }

    public MalformedEventException(String message, Throwable cause) {
        super(message, cause);
    }
}
