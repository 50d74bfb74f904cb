package cms.api.cassandra;

import cms.api.hierarchy.Lineage;
import cms.api.query.PeriodRow;
import cms.api.query.RollupKey;
import cms.api.query.RollupRow;
import cms.api.query.RollupStore;
import cms.avro.NodeLevel;
import cms.cassandra.CassandraSchema;
import cms.cassandra.DerivedWindows;
import cms.cassandra.FamilyRollups;
import cms.rollup.Granularity;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The roll-ups of cql/V002__family_rollups.cql. A node's own windows are read from its parents' families
 * (every parent it ever had, as the pipeline booked usage under the parent of the event's time), a
 * node's children from its own family; the parts of a window are added up by {@link FamilyRollups#combine}.
 * One prepared single-partition query per family and bucket (children in chunks of {@value #CHILDREN_PER_QUERY}) for
 * HOUR and MONTH windows (stored rows); DAY windows without FINAL rows are summed from the open days' HOUR rows of the
 * same partition ({@link DerivedWindows}): two slices of one partition.
 */
public final class CassandraRollupStore implements RollupStore {
    /** Children named in one IN list: one query reads one partition whatever the list's length, but keep it bounded. */
    static final int CHILDREN_PER_QUERY = 100;

    private final CassandraSession session;
    private final Lineage lineage;
    /** The clock the write times of FINAL rows are compared with ({@link DerivedWindows#SETTLE}). */
    private final Clock clock;
    private volatile Prepared prepared;

    private record Prepared(PreparedStatement children, PreparedStatement period) {}

    public CassandraRollupStore(CassandraSession session, Lineage lineage) {
        this(session, lineage, Clock.systemUTC());
    }

    CassandraRollupStore(CassandraSession session, Lineage lineage, Clock clock) {
        this.session = session;
        this.lineage = lineage;
        this.clock = clock;
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

    /**
     * The members' windows of the key's granularity starting in [from, to) in one family partition: HOUR and MONTH rows
     * as stored; DAY windows without a FINAL row summed from the HOUR rows of the same partition ({@link DerivedWindows}),
     * each read a clustering slice (granularity, child_id IN, window_start range) in V002's order, no filtering.
     */
    private void read(NodeLevel family, String head, RollupKey key, List<String> members, Instant from, Instant to,
                      List<FamilyRollups.Part> out) {
        Partition partition = new Partition(family, head, key.bucket());
        switch (key.granularity()) {
            case HOUR -> out.addAll(partition.select(Granularity.HOUR, members, from, to));
            case DAY -> out.addAll(partition.days(members, DerivedWindows.dayBoundary(from), DerivedWindows.dayBoundary(to)));
            // stored, OPEN or FINAL: a statement's "every window FINAL" guard relies on each member's OPEN MONTH rows
            case MONTH -> out.addAll(partition.select(Granularity.MONTH, members, from, to));
        }
    }

    /** One family partition of family_rollups: (level, node_id, bucket). */
    private final class Partition {
        private final NodeLevel family;
        private final String head;
        private final String bucket;

        Partition(NodeLevel family, String head, String bucket) {
            this.family = family;
            this.head = head;
            this.bucket = bucket;
        }

        /** DAY windows starting in [from, to) (day starts): FINAL DAY rows, else the day's HOUR rows. */
        List<FamilyRollups.Part> days(List<String> members, Instant from, Instant to) {
            if (!to.isAfter(from)) {
                return List.of();
            }
            List<FamilyRollups.Part> dayRows = select(Granularity.DAY, members, from, to);
            Instant hoursFrom = DerivedWindows.hoursFrom(dayRows, from, clock.instant());
            List<FamilyRollups.Part> hourRows = hoursFrom.isBefore(to) ? select(Granularity.HOUR, members, hoursFrom, to) : List.of();
            return DerivedWindows.days(dayRows, hourRows);
        }

        List<FamilyRollups.Part> select(Granularity granularity, List<String> members, Instant from, Instant to) {
            List<FamilyRollups.Part> out = new ArrayList<>();
            for (Row row : session.get().execute(statements().children().bind(family.name(), head, bucket,
                    granularity.name(), members, from, to))) {
                out.add(FamilyRollups.Part.of(row));
            }
            return out;
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
