package cms.api.query;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Reads the pipeline's roll-up tables; each call reads one Cassandra partition. */
public interface RollupStore {
    /** Rows of rollups in one partition whose window starts in [from, to), in clustering order. */
    List<RollupRow> rollups(RollupKey key, Instant from, Instant to);

    /** Rows of rollups_by_child in one partition whose window starts in [from, to), in clustering order. */
    List<RollupRow> rollupsByChild(RollupKey key, Instant from, Instant to);

    Optional<PeriodRow> period(String period);
}
