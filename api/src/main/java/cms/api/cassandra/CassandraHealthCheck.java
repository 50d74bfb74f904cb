package cms.api.cassandra;

import com.codahale.metrics.health.HealthCheck;
import com.datastax.oss.driver.api.core.cql.Row;

/** Cassandra answers a query, and the roll-up tables are there. */
public final class CassandraHealthCheck extends HealthCheck {
    private final CassandraSession session;

    public CassandraHealthCheck(CassandraSession session) {
        this.session = session;
    }

    @Override
    protected Result check() {
        Row row = session.get().execute("SELECT release_version FROM system.local").one();
        session.get().execute("SELECT period FROM periods LIMIT 1");
        return Result.healthy("Cassandra %s", row == null ? "?" : row.getString("release_version"));
    }
}
