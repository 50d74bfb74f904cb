package cms.pipeline.sink;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;

import java.io.Serializable;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/** How to reach Cassandra; serializable so the sink can ship it to its writers, which connect in createWriter. */
public record CassandraConnection(String contactPoint, String datacenter, String keyspace, Duration requestTimeout)
        implements Serializable {

    public CassandraConnection {
        Objects.requireNonNull(contactPoint, "contactPoint");
        Objects.requireNonNull(datacenter, "datacenter");
        Objects.requireNonNull(keyspace, "keyspace");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
    }

    public CqlSession open() {
        int colon = contactPoint.lastIndexOf(':');
        InetSocketAddress address = new InetSocketAddress(contactPoint.substring(0, colon),
                Integer.parseInt(contactPoint.substring(colon + 1)));
        DriverConfigLoader config = DriverConfigLoader.programmaticBuilder()
                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, requestTimeout)
                .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(10))
                .build();
        return CqlSession.builder()
                .addContactPoint(address)
                .withLocalDatacenter(datacenter)
                .withKeyspace(keyspace)
                .withConfigLoader(config)
                // the driver must find its reference.conf through the job's class loader, not the cluster's
                .withClassLoader(CassandraConnection.class.getClassLoader())
                .build();
    }
}
