package io.devopsconsole.platform.problem;

/** The addressed resource does not exist (404). */
public class ResourceNotFoundException extends RuntimeException {

    public ResourceNotFoundException(String resourceType, Object id) {
        super(resourceType + " " + id + " does not exist");
    }
}
