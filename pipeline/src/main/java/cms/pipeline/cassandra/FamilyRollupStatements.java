package cms.pipeline.cassandra;

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
 * row ({@link FamilyRow#writeTimestamp}, made by the roll-up stage's WriteOrder). These are not epoch
 * micros: they order a window's writes by progress. Nothing else may write this table: any ordinary
 * (wall-clock micros) write would beat OPEN rows.
 */
public final class FamilyRollupStatements implements CassandraStatements<FamilyRow> {
    private static final long serialVersionUID = 1L;

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
