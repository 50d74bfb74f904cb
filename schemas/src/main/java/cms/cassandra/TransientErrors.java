package cms.cassandra;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.NodeUnavailableException;
import com.datastax.oss.driver.api.core.RequestThrottlingException;
import com.datastax.oss.driver.api.core.connection.BusyConnectionException;
import com.datastax.oss.driver.api.core.connection.ClosedConnectionException;
import com.datastax.oss.driver.api.core.connection.ConnectionInitException;
import com.datastax.oss.driver.api.core.connection.HeartbeatException;
import com.datastax.oss.driver.api.core.servererrors.BootstrappingException;
import com.datastax.oss.driver.api.core.servererrors.OverloadedException;
import com.datastax.oss.driver.api.core.servererrors.QueryConsistencyException;
import com.datastax.oss.driver.api.core.servererrors.UnavailableException;

import java.util.List;

/**
 * Which errors of the Java driver mean "Cassandra is slow or unreachable right now" rather than "this request is
 * wrong": the pipeline's sink retries its idempotent writes after them, the API answers 503 for them. One list for
 * both, so the two sides agree on what an outage is.
 */
public final class TransientErrors {
    private TransientErrors() {}

    /**
     * Timeouts (the driver's, a coordinator's write or read timeout), too few replicas alive, no node reachable or
     * every node tried failed for such reasons, connections lost, refused or busy, an overloaded, throttled or
     * bootstrapping node. A statement Cassandra refuses (invalid, unauthorized) is not among them.
     */
    public static boolean isTransient(Throwable t) {
        if (t instanceof AllNodesFailedException all) {
            // NoNodeAvailableException (none was even up) has no errors: transient
            List<Throwable> errors = all.getAllErrors().values().stream().flatMap(List::stream).toList();
            return errors.stream().allMatch(TransientErrors::isTransient);
        }
        return t instanceof DriverTimeoutException
                || t instanceof QueryConsistencyException
                || t instanceof UnavailableException
                || t instanceof OverloadedException
                || t instanceof BootstrappingException
                || t instanceof NodeUnavailableException
                || t instanceof RequestThrottlingException
                || t instanceof BusyConnectionException
                || t instanceof ClosedConnectionException
                || t instanceof HeartbeatException
                || t instanceof ConnectionInitException
                || t instanceof java.net.ConnectException
                || t instanceof java.nio.channels.ClosedChannelException;
    }
}
