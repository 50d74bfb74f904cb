package cms.pipeline.sink;

import cms.cassandra.CassandraSchema;
import cms.pipeline.model.RollupRow;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;

import java.time.Instant;
import java.util.List;

/** Absolute-value upserts of roll-up rows (rollups, or rollups_by_child when the row names a child), USING TIMESTAMP from the row. */
public final class RollupStatements implements CassandraStatements<RollupRow> {
    private static final long serialVersionUID = 1L;
    private static final String COLUMNS = "window_end, status, event_count, quantity, amount, partner_commission,"
            + " distributor_commission, adjustment_count, adjustment_amount, updated_at";

    @Override
    public List<String> cql() {
        return List.of(
                "INSERT INTO " + CassandraSchema.ROLLUPS + " (level, node_id, granularity, bucket, window_start, meter_id, currency, "
                        + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?",
                "INSERT INTO " + CassandraSchema.ROLLUPS_BY_CHILD + " (level, node_id, granularity, bucket, window_start, child_id, meter_id, currency, "
                        + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?");
    }

    @Override
    public BoundStatement bind(RollupRow r, List<PreparedStatement> prepared) {
        Instant start = Instant.ofEpochMilli(r.windowStart);
        Instant end = Instant.ofEpochMilli(r.windowEnd);
        Object[] tail = {end, r.status, r.eventCount, r.quantity, r.amount, r.partnerCommission, r.distributorCommission,
                r.adjustmentCount, r.adjustmentAmount, Instant.now(), r.writeTimestamp};
        if (r.byChild()) {
            return prepared.get(1).bind(concat(new Object[] {r.level, r.nodeId, r.granularity, r.bucket, start, r.childId,
                    r.meterId, r.currency}, tail)).setIdempotent(true);
        }
        return prepared.get(0).bind(concat(new Object[] {r.level, r.nodeId, r.granularity, r.bucket, start, r.meterId,
                r.currency}, tail)).setIdempotent(true);
    }

    @Override
    public boolean deferUntilCheckpoint(RollupRow row) {
        return RollupRow.FINAL.equals(row.status);
    }

    private static Object[] concat(Object[] a, Object[] b) {
        Object[] out = new Object[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
