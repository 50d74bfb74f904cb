package cms.api.cassandra;

import cms.api.hierarchy.Lineage;
import cms.api.query.PeriodRow;
import cms.api.query.RollupKey;
import cms.api.query.RollupRow;
import cms.api.query.RollupStore;
import cms.avro.NodeLevel;
import cms.cassandra.CassandraSchema;
import cms.cassandra.FamilyRollups;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The roll-ups of cql/V002__family_rollups.cql. A node's own windows are read from its parents' families
 * (every parent it ever had, as the pipeline booked usage under the parent of the event's time), a
 * node's children from its own family; the parts of a window are added up by {@link FamilyRollups#combine}.
 * One prepared single-partition query per family and bucket (children in chunks of {@value #CHILDREN_PER_QUERY}).
 */
public final class CassandraRollupStore implements RollupStore {
    /** Children named in one IN list: one query reads one partition whatever the list's length, but keep it bounded. */
    static final int CHILDREN_PER_QUERY = 100;

    private final CassandraSession session;
    private final Lineage lineage;
    private volatile Prepared prepared;

    private record Prepared(PreparedStatement children, PreparedStatement period) {}

    public CassandraRollupStore(CassandraSession session, Lineage lineage) {
        this.session = session;
        this.lineage = lineage;
    }

    @Override
    public List<RollupRow> rollups(RollupKey key, Instant from, Instant to) {
        NodeLevel family = FamilyRollups.familyOf(key.level());
        List<String> heads = family == key.level() ? List.of(key.nodeId()) : lineage.parentsEver(key.level(), key.nodeId());
        List<String> member = List.of(FamilyRollups.childIdOf(key.level(), key.nodeId()));
        List<FamilyRollups.Part> parts = new ArrayList<>();
        for (String head : heads) {
            read(family, head, key, member, from, to, parts);
        }
        return rows(FamilyRollups.combine(parts), false);
    }

    @Override
    public List<RollupRow> rollupsByChild(RollupKey key, Instant from, Instant to) {
        List<String> children = lineage.childrenEver(key.level(), key.nodeId());
        List<FamilyRollups.Part> parts = new ArrayList<>();
        for (int i = 0; i < children.size(); i += CHILDREN_PER_QUERY) {
            read(key.level(), key.nodeId(), key, children.subList(i, Math.min(children.size(), i + CHILDREN_PER_QUERY)), from, to, parts);
        }
        return rows(FamilyRollups.combine(parts), true);
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

    private void read(NodeLevel family, String head, RollupKey key, List<String> members, Instant from, Instant to,
                      List<FamilyRollups.Part> out) {
        for (Row row : session.get().execute(statements().children().bind(family.name(), head, key.bucket(), key.granularity().name(),
                members, from, to))) {
            out.add(FamilyRollups.Part.of(row));
        }
    }

    private static List<RollupRow> rows(List<FamilyRollups.Part> windows, boolean byChild) {
        List<RollupRow> out = new ArrayList<>(windows.size());
        for (FamilyRollups.Part w : windows) {
            out.add(new RollupRow(w.windowStart(), w.windowEnd(), byChild ? w.childId() : null, w.meterId(), w.currency(), w.status(),
                    w.eventCount(), w.quantity(), w.amount(), w.partnerCommission(), w.distributorCommission(), w.adjustmentCount(),
                    w.adjustmentAmount(), w.updatedAt()));
        }
        return out;
    }

    /** Prepared on first use: the session opens in Managed.start, after the resources are built. */
    private Prepared statements() {
        Prepared p = prepared;
        if (p == null) {
            var s = session.get();
            p = new Prepared(
                    s.prepare(FamilyRollups.SELECT_CHILDREN),
                    s.prepare("SELECT period, status, watermark, final_at FROM " + CassandraSchema.PERIODS + " WHERE period = ?"));
            prepared = p;
        }
        return p;
    }
}
