package cms.topics;

/** What CONTRACT.md's usage schema requires beyond what its Avro schema can say. */
public final class UsageLimits {
    /** eventId: 1 to 128 characters (the idempotency key). */
    public static final int MAX_EVENT_ID_LENGTH = 128;

    private UsageLimits() {}
}
