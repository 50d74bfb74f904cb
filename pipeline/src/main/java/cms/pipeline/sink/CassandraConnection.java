package cms.pipeline.sink;

import cms.cassandra.Consistency;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;

import java.io.Serializable;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How to reach Cassandra; serializable so the sink can ship it to its writers, which connect in createWriter.
 * {@code contactPoints}: host:port[,host:port...] (more than one, so a session can open while one node is down);
 * {@code consistency}: the level of every request of the session.
 */
public record CassandraConnection(String contactPoints, String datacenter, String keyspace, Duration requestTimeout,
                                  DefaultConsistencyLevel consistency) implements Serializable {

    /** At the default consistency level (cms.cassandra.Consistency). */
    public CassandraConnection(String contactPoints, String datacenter, String keyspace, Duration requestTimeout) {
        this(contactPoints, datacenter, keyspace, requestTimeout, Consistency.DEFAULT);
    }

    public CassandraConnection {
        Objects.requireNonNull(contactPoints, "contactPoints");
        Objects.requireNonNull(consistency, "consistency");
        Objects.requireNonNull(datacenter, "datacenter");
        Objects.requireNonNull(keyspace, "keyspace");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
    }

    public CqlSession open() {
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (String hostPort : contactPoints.split(",")) {
            int colon = hostPort.strip().lastIndexOf(':');
            addresses.add(new InetSocketAddress(hostPort.strip().substring(0, colon), Integer.parseInt(hostPort.strip().substring(colon + 1))));
        }
        DriverConfigLoader config = DriverConfigLoader.programmaticBuilder()
                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, requestTimeout)
                .withString(DefaultDriverOption.REQUEST_CONSISTENCY, consistency.name())
                .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(10))
                // a node that went down is tried again at most every 5 s (the driver's default grows to 60 s), so the
                // writes retried meanwhile (AsyncWrites) resume within seconds of Cassandra answering again
                .withDuration(DefaultDriverOption.RECONNECTION_BASE_DELAY, Duration.ofMillis(500))
                .withDuration(DefaultDriverOption.RECONNECTION_MAX_DELAY, Duration.ofSeconds(5))
                .build();
        return CqlSession.builder()
                .addContactPoints(addresses)
                .withLocalDatacenter(datacenter)
                .withKeyspace(keyspace)
                .withConfigLoader(config)
                // the driver must find its reference.conf through the job's class loader, not the cluster's
                .withClassLoader(CassandraConnection.class.getClassLoader())
                .build();
    }
}
