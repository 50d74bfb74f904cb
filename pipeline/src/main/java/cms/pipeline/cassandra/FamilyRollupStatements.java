package cms.pipeline.cassandra;

import cms.cassandra.FamilyRollups;
import cms.pipeline.model.FamilyRow;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatementBuilder;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.type.codec.TypeCodecs;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
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

    /** How many distinct texts a writer keeps encoded before it starts its cache afresh. */
    static final int TEXT_CACHE = 1 << 16;

    /**
     * Each text value encoded once and kept (a row's level, granularity, status, bucket, meter, currency, via and node
     * ids repeat from refresh to refresh): the driver's text codec encoded every value anew through a thread-local
     * encoder that a Flink task thread reaches only by netty's slow path (7% of the job's samples in the profile).
     * The driver writes a duplicate of a bound buffer, so one buffer serves every statement. One cache per writer
     * (this object is deserialized per subtask; bind runs on the task thread).
     */
    private transient HashMap<String, ByteBuffer> texts;

    /** Bound as encoded values, each column's encoding the one its codec would write. */
    @Override
    public BoundStatement bind(FamilyRow r, List<PreparedStatement> prepared) {
        BoundStatementBuilder b = prepared.get(0).boundStatementBuilder();
        int i = 0;
        b.setBytesUnsafe(i++, text(r.level));
        b.setBytesUnsafe(i++, text(r.nodeId));
        b.setBytesUnsafe(i++, text(r.bucket));
        b.setBytesUnsafe(i++, text(r.granularity));
        b.setBytesUnsafe(i++, text(r.childId));
        b.setBytesUnsafe(i++, long64(r.windowStart));
        b.setBytesUnsafe(i++, text(r.meterId));
        b.setBytesUnsafe(i++, text(r.currency));
        b.setBytesUnsafe(i++, text(r.via));
        b.setBytesUnsafe(i++, long64(r.windowEnd));
        b.setBytesUnsafe(i++, text(r.status));
        b.setBytesUnsafe(i++, long64(r.eventCount));
        b.set(i++, r.quantity, TypeCodecs.DECIMAL);
        b.set(i++, r.amount, TypeCodecs.DECIMAL);
        b.set(i++, r.partnerCommission, TypeCodecs.DECIMAL);
        b.set(i++, r.distributorCommission, TypeCodecs.DECIMAL);
        b.setBytesUnsafe(i++, long64(r.adjustmentCount));
        b.set(i++, r.adjustmentAmount, TypeCodecs.DECIMAL);
        b.setBytesUnsafe(i++, long64(System.currentTimeMillis()));
        b.setBytesUnsafe(i, long64(r.writeTimestamp));
        return b.setIdempotence(true).build();
    }

    /** UTF-8, as the driver's text codec writes it; null stays null. */
    ByteBuffer text(String value) {
        if (value == null) {
            return null;
        }
        if (texts == null) {
            texts = new HashMap<>();
        }
        ByteBuffer encoded = texts.get(value);
        if (encoded == null) {
            if (texts.size() >= TEXT_CACHE) {
                texts.clear();   // bounded: ids beyond it are encoded again, not kept
            }
            encoded = ByteBuffer.wrap(value.getBytes(StandardCharsets.UTF_8));
            texts.put(value, encoded);
        }
        return encoded;
    }

    /** A bigint, or a timestamp in epoch ms: eight bytes, big-endian, as the driver's codecs write them. */
    static ByteBuffer long64(long value) {
        ByteBuffer b = ByteBuffer.allocate(8);
        b.putLong(0, value);
        return b;
    }

    @Override
    public boolean deferUntilCheckpoint(FamilyRow row) {
        return row.isFinal();
    }
}
