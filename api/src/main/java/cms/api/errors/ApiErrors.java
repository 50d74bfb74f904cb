package cms.api.errors;

import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.ClientErrorException;
import jakarta.ws.rs.ForbiddenException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.ServiceUnavailableException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

/**
 * The API's client errors. Each becomes {"code": N, "message": "..."} through Dropwizard's
 * LoggingExceptionMapper; a message about input starts with the field it is about.
 */
public final class ApiErrors {
    public static final int UNPROCESSABLE = 422;

    /** The one answer for a node that is missing or outside the caller's subtree: the two must not differ. */
    public static WebApplicationException notFound(String what, String id) {
        return new NotFoundException(what + " '" + id + "' not found");
    }

    public static WebApplicationException badRequest(String field, String problem) {
        return new BadRequestException(field + ": " + problem);
    }

    public static WebApplicationException unprocessable(String message) {
        return new WebApplicationException(message, UNPROCESSABLE);
    }

    public static WebApplicationException forbidden(String message) {
        return new ForbiddenException(message);
    }

    public static WebApplicationException conflict(String message) {
        return new ClientErrorException(message, Response.Status.CONFLICT);
    }

    public static WebApplicationException unavailable(String message) {
        return new ServiceUnavailableException(message);
    }

    private ApiErrors() {}
}
