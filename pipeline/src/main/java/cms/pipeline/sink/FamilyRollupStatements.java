package cms.pipeline.sink;

import cms.cassandra.FamilyRollups;
import cms.pipeline.model.FamilyRow;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatementBuilder;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.type.codec.TypeCodecs;

import java.time.Instant;
import java.util.List;

/**
 * Absolute-value upserts of family_rollups rows ({@link FamilyRollups#INSERT}), USING TIMESTAMP from the
 * row ({@link FamilyRow#writeTimestamp}, made by {@link #openTimestamp} and {@link #finalTimestamp}).
 * These are not epoch micros: they order a window's writes by progress.
 *
 * <ul>
 *   <li>OPEN: {@code (n << 10) + attempt}, n = event_count (below 2^52), attempt = the writing task's
 *       restart count (capped at 1023). A restarted job re-emits counts it had already written with
 *       timestamps no higher than before, so a replay never replaces a newer OPEN value with an older
 *       one, and of two writes of the same count the later attempt's wins (the whole row).</li>
 *   <li>FINAL: {@code FINAL_BAND + (n << 10) + attempt}, FINAL_BAND = 2^62: every FINAL timestamp is
 *       above every possible OPEN timestamp, so a FINAL row wins over any OPEN row whatever the counts
 *       (an OPEN row written by a run that crashed after a non-deterministic lateness decision may carry
 *       a higher count than the restored run's FINAL), and is never replaced by an OPEN one.</li>
 * </ul>
 * Nothing else may write this table: any ordinary (wall-clock micros) write would beat OPEN rows.
 */
public final class FamilyRollupStatements implements CassandraStatements<FamilyRow> {
    private static final long serialVersionUID = 1L;
    /** The band of FINAL write timestamps: above every OPEN one. */
    public static final long FINAL_BAND = 1L << 62;
    private static final long MAX_COUNT = (1L << 52) - 1;

    /** The write timestamp of an OPEN row with event count n, written by the given task attempt. */
    public static long openTimestamp(long n, int attempt) {
        return (Math.min(Math.max(n, 0), MAX_COUNT) << 10) + Math.min(Math.max(attempt, 0), 1023);
    }

    /** The write timestamp of a FINAL row with event count n, written by the given task attempt. */
    public static long finalTimestamp(long n, int attempt) {
        return FINAL_BAND + openTimestamp(n, attempt);
    }

    @Override
    public List<String> cql() {
        return List.of(FamilyRollups.INSERT);
    }

    /** Bound with each column's codec named, not looked up from the values' classes (a visible cost per row). */
    @Override
    public BoundStatement bind(FamilyRow r, List<PreparedStatement> prepared) {
        BoundStatementBuilder b = prepared.get(0).boundStatementBuilder();
        int i = 0;
        b.set(i++, r.level, TypeCodecs.TEXT);
        b.set(i++, r.nodeId, TypeCodecs.TEXT);
        b.set(i++, r.bucket, TypeCodecs.TEXT);
        b.set(i++, r.granularity, TypeCodecs.TEXT);
        b.set(i++, r.childId, TypeCodecs.TEXT);
        b.set(i++, Instant.ofEpochMilli(r.windowStart), TypeCodecs.TIMESTAMP);
        b.set(i++, r.meterId, TypeCodecs.TEXT);
        b.set(i++, r.currency, TypeCodecs.TEXT);
        b.set(i++, r.via, TypeCodecs.TEXT);
        b.set(i++, Instant.ofEpochMilli(r.windowEnd), TypeCodecs.TIMESTAMP);
        b.set(i++, r.status, TypeCodecs.TEXT);
        b.set(i++, r.eventCount, TypeCodecs.BIGINT);
        b.set(i++, r.quantity, TypeCodecs.DECIMAL);
        b.set(i++, r.amount, TypeCodecs.DECIMAL);
        b.set(i++, r.partnerCommission, TypeCodecs.DECIMAL);
        b.set(i++, r.distributorCommission, TypeCodecs.DECIMAL);
        b.set(i++, r.adjustmentCount, TypeCodecs.BIGINT);
        b.set(i++, r.adjustmentAmount, TypeCodecs.DECIMAL);
        b.set(i++, Instant.now(), TypeCodecs.TIMESTAMP);
        b.set(i, r.writeTimestamp, TypeCodecs.BIGINT);
        return b.setIdempotence(true).build();
    }

    @Override
    public boolean deferUntilCheckpoint(FamilyRow row) {
        return row.isFinal();
    }
}
