package cms.cassandra;

import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;

import java.util.Arrays;

/**
 * The consistency level the pipeline writes the roll-up tables at and the API reads them at; one
 * default for both sides. LOCAL_QUORUM on both: with replication factor 3 a write and a later read
 * each need 2 of the 3 replicas, so every read overlaps the last write (read-your-writes for the
 * dashboards) and either side keeps working with one node down; with replication factor 1 (the
 * single-node stack) a quorum is that one node. Writes are idempotent upserts whose USING TIMESTAMP
 * orders them, so a retried write never double-counts.
 */
public final class Consistency {
    public static final DefaultConsistencyLevel DEFAULT = DefaultConsistencyLevel.LOCAL_QUORUM;

    /** The level named {@code value} (case-insensitive); an error naming {@code key} and the accepted names otherwise. */
    public static DefaultConsistencyLevel parse(String key, String value) {
        if (value != null) {
            for (DefaultConsistencyLevel level : DefaultConsistencyLevel.values()) {
                if (level.name().equalsIgnoreCase(value.strip())) {
                    return level;
                }
            }
        }
        throw new IllegalArgumentException(key + " must be one of " + Arrays.toString(DefaultConsistencyLevel.values())
                + ", was '" + value + "'");
    }

    private Consistency() {}
}
