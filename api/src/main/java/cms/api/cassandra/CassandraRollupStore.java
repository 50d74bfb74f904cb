package cms.api.cassandra;

import cms.api.query.PeriodRow;
import cms.api.query.RollupKey;
import cms.api.query.RollupRow;
import cms.api.query.RollupStore;
import cms.cassandra.CassandraSchema;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The roll-up tables of cql/V001__rollups.cql, read with prepared statements, one partition per call. */
public final class CassandraRollupStore implements RollupStore {
    private static final String COLUMNS = "window_start, window_end, meter_id, currency, status, event_count, quantity, "
            + "amount, partner_commission, distributor_commission, adjustment_count, adjustment_amount";
    private static final String WHERE = " WHERE level = ? AND node_id = ? AND granularity = ? AND bucket = ?"
            + " AND window_start >= ? AND window_start < ?";

    private final CassandraSession session;
    private volatile Prepared prepared;

    private record Prepared(PreparedStatement rollups, PreparedStatement byChild, PreparedStatement period) {}

    public CassandraRollupStore(CassandraSession session) {
        this.session = session;
    }

    @Override
    public List<RollupRow> rollups(RollupKey key, Instant from, Instant to) {
        return read(statements().rollups(), key, from, to, false);
    }

    @Override
    public List<RollupRow> rollupsByChild(RollupKey key, Instant from, Instant to) {
        return read(statements().byChild(), key, from, to, true);
    }

    @Override
    public Optional<PeriodRow> period(String period) {
        Row row = session.get().execute(statements().period().bind(period)).one();
        if (row == null) {
            return Optional.empty();
        }
        return Optional.of(new PeriodRow(row.getString("period"), row.getString("status"),
                row.getInstant("watermark"), row.getInstant("final_at")));
    }

    private List<RollupRow> read(PreparedStatement statement, RollupKey key, Instant from, Instant to, boolean child) {
        List<RollupRow> out = new ArrayList<>();
        for (Row row : session.get().execute(statement.bind(key.level().name(), key.nodeId(), key.granularity().name(),
                key.bucket(), from, to))) {
            out.add(new RollupRow(
                    row.getInstant("window_start"),
                    row.getInstant("window_end"),
                    child ? row.getString("child_id") : null,
                    row.getString("meter_id"),
                    row.getString("currency"),
                    row.getString("status"),
                    row.getLong("event_count"),
                    decimal(row, "quantity"),
                    decimal(row, "amount"),
                    decimal(row, "partner_commission"),
                    decimal(row, "distributor_commission"),
                    row.getLong("adjustment_count"),
                    decimal(row, "adjustment_amount")));
        }
        return out;
    }

    private static BigDecimal decimal(Row row, String column) {
        BigDecimal value = row.getBigDecimal(column);
        return value == null ? BigDecimal.ZERO : value;
    }

    /** Prepared on first use: the session opens in Managed.start, after the resources are built. */
    private Prepared statements() {
        Prepared p = prepared;
        if (p == null) {
            var s = session.get();
            p = new Prepared(
                    s.prepare("SELECT " + COLUMNS + " FROM " + CassandraSchema.ROLLUPS + WHERE),
                    s.prepare("SELECT child_id, " + COLUMNS + " FROM " + CassandraSchema.ROLLUPS_BY_CHILD + WHERE),
                    s.prepare("SELECT period, status, watermark, final_at FROM " + CassandraSchema.PERIODS + " WHERE period = ?"));
            prepared = p;
        }
        return p;
    }
}
