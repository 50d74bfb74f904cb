package cms.pipeline.cassandra;

import cms.cassandra.CassandraSchema;
import cms.pipeline.model.PeriodRow;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;

import java.time.Instant;
import java.util.List;

/** Upserts of the periods table, USING TIMESTAMP from the watermark (see PeriodFunction). */
public final class PeriodStatements implements CassandraStatements<PeriodRow> {
    private static final long serialVersionUID = 1L;

    @Override
    public List<String> cql() {
        return List.of(
                "INSERT INTO " + CassandraSchema.PERIODS + " (period, status, watermark, updated_at) VALUES (?, ?, ?, ?) USING TIMESTAMP ?",
                "INSERT INTO " + CassandraSchema.PERIODS + " (period, status, watermark, final_at, updated_at) VALUES (?, ?, ?, ?, ?) USING TIMESTAMP ?");
    }

    @Override
    public BoundStatement bind(PeriodRow p, List<PreparedStatement> prepared) {
        if (p.finalAt == null) {
            return prepared.get(0).bind(p.period, p.status, Instant.ofEpochMilli(p.watermark), Instant.now(), p.writeTimestamp)
                    .setIdempotent(true);
        }
        return prepared.get(1).bind(p.period, p.status, Instant.ofEpochMilli(p.watermark), Instant.ofEpochMilli(p.finalAt),
                Instant.now(), p.writeTimestamp).setIdempotent(true);
    }

    @Override
    public boolean deferUntilCheckpoint(PeriodRow row) {
        return "FINAL".equals(row.status);
    }
}
