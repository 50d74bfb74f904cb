package cms.api.query;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Reads the pipeline's roll-ups (cql/V002: a node's own windows are in its parents' families, its children's in its own).
 * DAY windows without FINAL rows are the sums of their HOUR rows (cms.cassandra.DerivedWindows), OPEN.
 */
public interface RollupStore {
    /** The node's own windows of one granularity and bucket that start in [from, to), by window, meter and currency. */
    List<RollupRow> rollups(RollupKey key, Instant from, Instant to);

    /** Its children's windows of one granularity and bucket that start in [from, to), by window, child, meter and currency. */
    List<RollupRow> rollupsByChild(RollupKey key, Instant from, Instant to);

    Optional<PeriodRow> period(String period);
}
