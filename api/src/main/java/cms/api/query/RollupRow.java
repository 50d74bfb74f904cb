package cms.api.query;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Collection;

/**
 * One window of a node (childId null) or of one of its children, its stored parts added up (a DAY window
 * without FINAL rows: the HOUR rows it is summed from, cms.cassandra.DerivedWindows). Missing decimals read as
 * zero; updatedAt is when the latest of its parts was written (null if none says).
 */
public record RollupRow(Instant windowStart, Instant windowEnd, String childId, String meterId, String currency,
                        String status, long eventCount, BigDecimal quantity, BigDecimal amount,
                        BigDecimal partnerCommission, BigDecimal distributorCommission, long adjustmentCount,
                        BigDecimal adjustmentAmount, Instant updatedAt) {
    public static final String FINAL = "FINAL";

    public boolean isFinal() {
        return FINAL.equals(status);
    }

    /** The latest updatedAt of the rows as ISO-8601 UTC, or null when none has one (or there are none). */
    public static String latestUpdate(Collection<RollupRow> rows) {
        Instant latest = null;
        for (RollupRow r : rows) {
            latest = later(latest, r.updatedAt);
        }
        return latest == null ? null : latest.toString();
    }

    /** The later of two write times, either of which may be null. */
    static Instant later(Instant a, Instant b) {
        return a == null || (b != null && b.isAfter(a)) ? b : a;
    }
}
