package cms.api.input;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;
import io.dropwizard.jersey.errors.ErrorMessage;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Request bodies of at most {@link InputLimits#MAX_BODY_BYTES}: a Content-Length above it is
 * refused before anything is read, and a body without one (chunked) is cut off as it passes the
 * limit. 413 with the JSON error shape either way.
 */
@Provider
public final class BodyLimit implements ReaderInterceptor {
    static final String MESSAGE = "body: at most " + InputLimits.MAX_BODY_BYTES + " bytes (1 MiB)";

    @Override
    public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException {
        String length = context.getHeaders().getFirst(HttpHeaders.CONTENT_LENGTH);
        if (length != null && length.length() < 19 && length.chars().allMatch(Character::isDigit)
                && Long.parseLong(length) > InputLimits.MAX_BODY_BYTES) {
            throw new WebApplicationException(tooLarge());
        }
        context.setInputStream(new Limited(context.getInputStream()));
        return context.proceed();
    }

    static Response tooLarge() {
        return Response.status(Response.Status.REQUEST_ENTITY_TOO_LARGE)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ErrorMessage(413, MESSAGE))
                .build();
    }

    /** Thrown by the body stream past the limit; an IOException, so the JSON parser passes it on unwrapped. */
    public static final class TooLarge extends IOException {
        TooLarge() {
            super(MESSAGE);
        }
    }

    /** Maps {@link TooLarge} to the 413 answer. */
    @Provider
    public static final class TooLargeMapper implements ExceptionMapper<TooLarge> {
        @Override
        public Response toResponse(TooLarge exception) {
            return tooLarge();
        }
    }

    private static final class Limited extends FilterInputStream {
        private long remaining = InputLimits.MAX_BODY_BYTES;

        Limited(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            count(skipped);
            return skipped;
        }

        private void count(long n) throws TooLarge {
            remaining -= n;
            if (remaining < 0) {
                throw new TooLarge();
            }
        }
    }
}
