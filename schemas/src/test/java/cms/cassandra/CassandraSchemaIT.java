package cms.cassandra;

import cms.stack.LocalStackAddresses;
import com.datastax.oss.driver.api.core.CqlSession;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The versioned layout applies to the real Cassandra, and applying it again changes nothing. */
class CassandraSchemaIT {
    @Test
    void appliesOnceThenIsIdempotent() {
        LocalStackAddresses stack = LocalStackAddresses.fromEnvironment();
        String keyspace = "it_schema_" + Long.toHexString(System.nanoTime());
        try (CqlSession session = CqlSession.builder()
                .addContactPoint(new InetSocketAddress(stack.host(), stack.cassandraPort()))
                .withLocalDatacenter(LocalStackAddresses.CASSANDRA_DATACENTER).build()) {
            List<Integer> first = CassandraSchema.apply(session, keyspace, 1);
            List<Integer> second = CassandraSchema.apply(session, keyspace, 1);

            assertThat(first).isEqualTo(CassandraSchema.migrations().stream().map(CassandraSchema.Migration::version).toList());
            assertThat(second).isEmpty();
            assertThat(session.getMetadata().getKeyspace(keyspace).orElseThrow().getTables().keySet())
                    .extracting(Object::toString)
                    .contains(CassandraSchema.ROLLUPS, CassandraSchema.ROLLUPS_BY_CHILD, CassandraSchema.PERIODS, CassandraSchema.MIGRATIONS);
            // a schema change, like the migrations' own: the driver's 2 s default is too short for one on a loaded machine
            session.execute(com.datastax.oss.driver.api.core.cql.SimpleStatement.newInstance("DROP KEYSPACE " + keyspace)
                    .setTimeout(java.time.Duration.ofSeconds(30)));
        }
    }
}
