package cms.registry;

/**
 * The registry could not be reached, or kept failing (5xx, 408, 429, I/O) through every retry.
 * Transient by nature: callers should fail and retry later, never dead-letter a record for it.
 */
public class SchemaRegistryUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SchemaRegistryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
