package cms.wire;

/**
 * A record that can never be decoded, however often it is retried: the pipeline dead-letters it
 * (reason UNDECODABLE). Transient trouble (the registry unreachable) is a different exception,
 * {@link cms.registry.SchemaRegistryUnavailableException}, because retrying that one can succeed.
 */
public class UndecodableRecordException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why the record could not be decoded. */
    public enum Problem {
        /** No value at all (a tombstone or a null). */
        NO_VALUE,
        /** Shorter than a frame, or a magic byte other than 0. */
        BAD_FRAMING,
        /** The registry does not know the frame's schema id. */
        UNKNOWN_SCHEMA_ID,
        /** The writer schema cannot be read with the reader schema. */
        INCOMPATIBLE_SCHEMA,
        /** The Avro body does not parse with its writer schema, or has bytes left over. */
        CORRUPT_PAYLOAD
    }

    private final Problem problem;
    private final int schemaId;

    public UndecodableRecordException(Problem problem, int schemaId, String message, Throwable cause) {
        super(message, cause);
        this.problem = problem;
        this.schemaId = schemaId;
    }

    public UndecodableRecordException(Problem problem, String message) {
        this(problem, -1, message, null);
    }

    public Problem problem() {
        return problem;
    }

    /** The frame's schema id, or -1 when the frame could not be read. */
    public int schemaId() {
        return schemaId;
    }
}
