package cms.api.audit;

import cms.api.auth.Caller;
import jakarta.annotation.Priority;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.Principal;

/**
 * Keeps what the audit trail records of an authenticated PUT (the caller, the request line and
 * the body as sent) in {@link AuditContext} while the request is served. Runs after
 * authentication; a body with a Content-Length within the API's limit is read once here and handed
 * on unchanged; any other (chunked, or too large) is left to the body limit and recorded as cut.
 */
@Priority(Priorities.USER)
public final class AuditRequestFilter implements ContainerRequestFilter, ContainerResponseFilter {
    /** How much of a body the trail keeps (the rest is marked as cut). */
    public static final int MAX_BODY_CHARS = 65_536;
    /** Read at most this much into memory; the API's body limit (1 MiB) refuses larger ones anyway. */
    private static final int MAX_READ = 1 << 20;

    @Override
    public void filter(ContainerRequestContext request) throws IOException {
        AuditContext.clear();
        if (!HttpMethod.PUT.equals(request.getMethod())) {
            return;
        }
        Principal principal = request.getSecurityContext() == null ? null : request.getSecurityContext().getUserPrincipal();
        if (!(principal instanceof Caller caller)) {
            return;
        }
        String body = null;
        boolean truncated = false;
        int length = request.getLength(); // -1 when not sent (chunked)
        if (length >= 0 && length <= MAX_READ && request.hasEntity()) {
            InputStream in = request.getEntityStream();
            byte[] bytes = in.readNBytes(length + 1);
            request.setEntityStream(new ByteArrayInputStream(bytes));
            String text = new String(bytes, StandardCharsets.UTF_8);
            truncated = text.length() > MAX_BODY_CHARS;
            body = truncated ? text.substring(0, MAX_BODY_CHARS) : text;
        } else if (length != 0) {
            // no length, or over the API's limit: the stream is left to the body limit untouched, the trail says so
            truncated = true;
        }
        AuditContext.set(new AuditContext.Request(caller, request.getMethod(), "/" + request.getUriInfo().getPath(),
                body, truncated));
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        AuditContext.clear();
    }
}
