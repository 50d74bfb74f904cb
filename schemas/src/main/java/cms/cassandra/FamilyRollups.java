package cms.cassandra;

import cms.avro.NodeLevel;
import cms.hierarchy.Levels;
import com.datastax.oss.driver.api.core.cql.Row;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The roll-up layout of cql/V002__family_rollups.cql, shared by the pipeline that writes it and the
 * API (and tests) that read it: which partition holds a node's own windows, the statements, and how
 * the parts of one window add up.
 *
 * <p>A node's own windows are its rows in its parent's family (a subscription's in its tenant's, a
 * tenant's in its partner's, a partner's in its distributor's); a distributor's own windows are the
 * rows with child {@link #OWN} in its own family. A node's children are the rows of its own family.
 * A window may be stored in parts: one per parent the node was booked under (a move within the
 * window) and per writer (via); {@link #combine} adds them up. DAY windows without FINAL rows are summed
 * from their HOUR rows by {@link DerivedWindows}.
 */
public final class FamilyRollups {
    /** The child_id of a distributor's own rows in its family. */
    public static final String OWN = "";

    /** The columns after the key, in the order {@link #INSERT} binds them. */
    public static final String VALUE_COLUMNS = "window_end, status, event_count, quantity, amount, partner_commission, "
            + "distributor_commission, adjustment_count, adjustment_amount, updated_at";

    /** The upsert of one row: 9 key columns, 10 value columns, then the write timestamp. */
    public static final String INSERT = "INSERT INTO " + CassandraSchema.FAMILY_ROLLUPS
            + " (level, node_id, bucket, granularity, child_id, window_start, meter_id, currency, via, " + VALUE_COLUMNS
            + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?";

    private static final String SELECT = "SELECT child_id, window_start, meter_id, currency, via, " + VALUE_COLUMNS
            + " FROM " + CassandraSchema.FAMILY_ROLLUPS + " WHERE level = ? AND node_id = ? AND bucket = ? AND granularity = ?";

    /** One family's rows of the given children (bound as a list) whose window starts in [from, to). */
    public static final String SELECT_CHILDREN = SELECT + " AND child_id IN ? AND window_start >= ? AND window_start < ?";

    /** The family head's level holding a node's own rows: its parent's level, a distributor's own. */
    public static NodeLevel familyOf(NodeLevel level) {
        NodeLevel parent = Levels.parentOf(level);
        return parent == null ? level : parent;
    }

    /** The child_id of a node's own rows in its family ({@link #familyOf}): its id, or {@link #OWN} for a distributor. */
    public static String childIdOf(NodeLevel level, String nodeId) {
        return Levels.parentOf(level) == null ? OWN : nodeId;
    }

    /** One stored part of a window: a member's (child's) row in one family, written by one writer. */
    public record Part(String childId, Instant windowStart, Instant windowEnd, String meterId, String currency, String status,
                       long eventCount, BigDecimal quantity, BigDecimal amount, BigDecimal partnerCommission,
                       BigDecimal distributorCommission, long adjustmentCount, BigDecimal adjustmentAmount, Instant updatedAt) {
        public boolean isFinal() {
            return "FINAL".equals(status);
        }

        /** This part read from a row of {@link #SELECT_CHILDREN}. */
        public static Part of(Row row) {
            return new Part(row.getString("child_id"), row.getInstant("window_start"), row.getInstant("window_end"),
                    row.getString("meter_id"), row.getString("currency"), row.getString("status"), row.getLong("event_count"),
                    decimal(row, "quantity"), decimal(row, "amount"), decimal(row, "partner_commission"),
                    decimal(row, "distributor_commission"), row.getLong("adjustment_count"), decimal(row, "adjustment_amount"),
                    row.getInstant("updated_at"));
        }

        private Part plus(Part o) {
            return new Part(childId, windowStart, windowEnd, meterId, currency, isFinal() && o.isFinal() ? "FINAL" : "OPEN",
                    eventCount + o.eventCount, quantity.add(o.quantity), amount.add(o.amount),
                    partnerCommission.add(o.partnerCommission), distributorCommission.add(o.distributorCommission),
                    adjustmentCount + o.adjustmentCount, adjustmentAmount.add(o.adjustmentAmount), later(updatedAt, o.updatedAt));
        }

        /** The same values in another (coarser) window, OPEN: a part of a window summed from finer rows. */
        public Part openIn(Instant start, Instant end) {
            return new Part(childId, start, end, meterId, currency, "OPEN", eventCount, quantity, amount, partnerCommission,
                    distributorCommission, adjustmentCount, adjustmentAmount, updatedAt);
        }

        /** The same values as another member's (a node's own window read from its row in its parent's family). */
        public Part as(String member) {
            return new Part(member, windowStart, windowEnd, meterId, currency, status, eventCount, quantity, amount,
                    partnerCommission, distributorCommission, adjustmentCount, adjustmentAmount, updatedAt);
        }
    }

    private static final Comparator<Part> ORDER = Comparator.comparing(Part::windowStart).thenComparing(Part::childId)
            .thenComparing(Part::meterId).thenComparing(Part::currency);

    /**
     * The windows the parts make up, one per (child, window, meter, currency), ordered by window, child, meter and
     * currency: counts and sums added, FINAL only when every part is (parts of one window finalize at the same
     * watermark, but may be written moments apart), updatedAt the latest.
     */
    public static List<Part> combine(Collection<Part> parts) {
        Map<List<Object>, Part> windows = new LinkedHashMap<>();
        for (Part p : parts) {
            windows.merge(List.of(p.childId(), p.windowStart(), p.meterId(), p.currency()), p, Part::plus);
        }
        List<Part> out = new ArrayList<>(windows.values());
        out.sort(ORDER);
        return out;
    }

    private static Instant later(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isAfter(b) ? a : b;
    }

    private static BigDecimal decimal(Row row, String column) {
        BigDecimal value = row.getBigDecimal(column);
        return value == null ? BigDecimal.ZERO : value;
    }

    private FamilyRollups() {}
}
