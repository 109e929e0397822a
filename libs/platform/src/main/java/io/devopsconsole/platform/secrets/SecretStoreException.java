package io.devopsconsole.platform.secrets;

/** The secret store could not do what was asked; the message never contains secret material. */
public class SecretStoreException extends RuntimeException {

    public SecretStoreException(String message) {
        super(message);
    }
}
