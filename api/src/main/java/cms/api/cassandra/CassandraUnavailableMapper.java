package cms.api.cassandra;

import cms.cassandra.TransientErrors;
import com.datastax.oss.driver.api.core.DriverException;
import io.dropwizard.jersey.errors.ErrorMessage;
import io.dropwizard.jersey.errors.LoggingExceptionMapper;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A read that finds Cassandra slow or down (a timeout, no replica, no node reachable: cms.cassandra.TransientErrors)
 * answers 503 with the API's JSON error body and a Retry-After, instead of a 500: the request was right and will work
 * again by itself once Cassandra answers (the driver reconnects within seconds, see CassandraSession). Any other driver
 * error is a 500 as before, logged with its id.
 */
public final class CassandraUnavailableMapper extends LoggingExceptionMapper<DriverException> {
    private static final Logger LOG = LoggerFactory.getLogger(CassandraUnavailableMapper.class);
    /** Seconds a client is told to wait: about the driver's reconnection interval. */
    static final int RETRY_AFTER_SECONDS = 5;

    public CassandraUnavailableMapper() {
        super(LOG);
    }

    @Override
    public Response toResponse(DriverException e) {
        if (!TransientErrors.isTransient(e)) {
            return super.toResponse(e);
        }
        LOG.warn("Cassandra unavailable: {}", e.toString());
        return Response.status(Response.Status.SERVICE_UNAVAILABLE)
                .header("Retry-After", RETRY_AFTER_SECONDS)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ErrorMessage(503, "the roll-up store (Cassandra) is unavailable; try again in " + RETRY_AFTER_SECONDS + " s"))
                .build();
    }
}
