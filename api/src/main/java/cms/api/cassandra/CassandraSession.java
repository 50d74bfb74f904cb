package cms.api.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import io.dropwizard.lifecycle.Managed;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * The one CqlSession of the API: opened on start (with a few attempts), closed on stop. Every request
 * runs at {@code consistency} and counts as idempotent (the API only reads), so the driver retries it on
 * another replica when its coordinator goes away mid-request, as a killed node does. A read its coordinator
 * has not answered within {@code speculativeReadDelay} is sent to the next replica as well, up to one per
 * replica of the cluster's replication factor 3 (the first answer wins, all within the request timeout):
 * a node that has just restarted (replaying hints, warming its caches) or is in a long GC pause is up but
 * answers seconds late, and without it a dashboard read sent there fails with a driver timeout.
 */
public final class CassandraSession implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(CassandraSession.class);
    /** Executions of one read at most, the first included: one per replica at replication factor 3. */
    private static final int SPECULATIVE_EXECUTIONS = 3;

    private final List<InetSocketAddress> contactPoints;
    private final String localDatacenter;
    private final String keyspace;
    private final Duration requestTimeout;
    private final int attempts;
    private final DefaultConsistencyLevel consistency;
    private final Duration speculativeReadDelay;
    private volatile CqlSession session;

    public CassandraSession(List<String> contactPoints, String localDatacenter, String keyspace, Duration requestTimeout,
                            int attempts, DefaultConsistencyLevel consistency, Duration speculativeReadDelay) {
        this.consistency = consistency;
        this.speculativeReadDelay = speculativeReadDelay;
        this.contactPoints = contactPoints.stream().map(CassandraSession::address).toList();
        this.localDatacenter = localDatacenter;
        this.keyspace = keyspace;
        this.requestTimeout = requestTimeout;
        this.attempts = attempts;
    }

    @Override
    public void start() throws InterruptedException {
        DriverConfigLoader config = DriverConfigLoader.programmaticBuilder()
                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, requestTimeout)
                .withString(DefaultDriverOption.REQUEST_CONSISTENCY, consistency.name())
                .withBoolean(DefaultDriverOption.REQUEST_DEFAULT_IDEMPOTENCE, true)
                .withString(DefaultDriverOption.SPECULATIVE_EXECUTION_POLICY_CLASS, "ConstantSpeculativeExecutionPolicy")
                .withInt(DefaultDriverOption.SPECULATIVE_EXECUTION_MAX, SPECULATIVE_EXECUTIONS)
                .withDuration(DefaultDriverOption.SPECULATIVE_EXECUTION_DELAY, speculativeReadDelay)
                // a node that went down is tried again at most every 5 s (the driver's default grows to 60 s): the API
                // answers 503 while Cassandra is down and 200 again within seconds of it answering
                .withDuration(DefaultDriverOption.RECONNECTION_BASE_DELAY, Duration.ofMillis(500))
                .withDuration(DefaultDriverOption.RECONNECTION_MAX_DELAY, Duration.ofSeconds(5))
                .build();
        RuntimeException last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try {
                session = CqlSession.builder()
                        .addContactPoints(contactPoints)
                        .withLocalDatacenter(localDatacenter)
                        .withKeyspace(keyspace)
                        .withConfigLoader(config)
                        .build();
                return;
            } catch (RuntimeException e) {
                last = e;
                LOG.warn("Cassandra at {} not reachable (attempt {}/{}): {}", contactPoints, attempt, attempts, e.toString());
                Thread.sleep(Math.min(1000L * attempt, 5000L));
            }
        }
        throw new IllegalStateException("cannot connect to Cassandra at " + contactPoints, last);
    }

    @Override
    public void stop() {
        CqlSession s = session;
        if (s != null) {
            s.close();
        }
    }

    public CqlSession get() {
        CqlSession s = session;
        if (s == null) {
            throw new IllegalStateException("the Cassandra session is not open");
        }
        return s;
    }

    private static InetSocketAddress address(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }
}
