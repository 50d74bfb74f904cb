package cms.registry;

/** The registry answered, and the answer is a definite no (a 4xx other than 408/429). */
public class SchemaRegistryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int httpStatus;
    private final int errorCode;

    public SchemaRegistryException(String message, int httpStatus, int errorCode) {
        super(message);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** The Confluent error_code (e.g. 40403 schema not found), or -1 when the body had none. */
    public int errorCode() {
        return errorCode;
    }

    /** True when the registry says the subject, version or schema does not exist. */
    public boolean isNotFound() {
        return httpStatus == 404;
    }

    /** True when a schema was refused as incompatible with the subject's earlier versions. */
    public boolean isIncompatible() {
        return httpStatus == 409;
    }
}
