package cms.api.audit;

import cms.api.auth.Caller;

import java.util.Optional;

/**
 * The write request being served on this thread, so the publisher can record it beside the version
 * it makes without every resource handing it down: Jersey serves a request's filters and resource
 * method on one thread, and {@link AuditRequestFilter} sets and clears this around them.
 */
public final class AuditContext {
    /** What the audit trail records of a request. */
    public record Request(Caller caller, String method, String path, String body, boolean bodyTruncated) {}

    private static final ThreadLocal<Request> CURRENT = new ThreadLocal<>();

    public static Optional<Request> current() {
        return Optional.ofNullable(CURRENT.get());
    }

    static void set(Request request) {
        CURRENT.set(request);
    }

    static void clear() {
        CURRENT.remove();
    }

    private AuditContext() {}
}
