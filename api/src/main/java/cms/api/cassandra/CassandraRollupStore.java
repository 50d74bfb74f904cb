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
import cms.rollup.BillingPeriod;
import cms.rollup.Granularity;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The roll-ups of cql/V002__family_rollups.cql. A node's own windows are read from its parents' families
 * (every parent it ever had, as the pipeline booked usage under the parent of the event's time), a
 * node's children from its own family; the parts of a window are added up by {@link FamilyRollups#combine}.
 * One prepared single-partition query per family and bucket (children in chunks of {@value #CHILDREN_PER_QUERY}) for
 * HOUR windows; DAY windows add the open days' HOUR rows of the same partition, MONTH windows without FINAL rows their
 * DAY rows and the open days' HOUR rows ({@link DerivedWindows}): two or three slices of one partition.
 */
public final class CassandraRollupStore implements RollupStore {
    /** Children named in one IN list: one query reads one partition whatever the list's length, but keep it bounded. */
    static final int CHILDREN_PER_QUERY = 100;
    /** Members' months whose settled days are kept (a few hundred bytes each, per meter and currency). */
    static final int SETTLED_MEMBERS = 100_000;

    private final CassandraSession session;
    private final Lineage lineage;
    /** The clock the write times of FINAL rows are compared with ({@link DerivedWindows#SETTLE}). */
    private final Clock clock;
    /** Members' settled days of OPEN months, summed by earlier reads. */
    private final SettledDays settled = new SettledDays(SETTLED_MEMBERS);
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
     * The members' windows of the key's granularity starting in [from, to) in one family partition: HOUR rows as stored;
     * DAY and MONTH windows without a FINAL row summed from finer rows of the same partition ({@link DerivedWindows}),
     * each read a clustering slice (granularity, child_id IN, window_start range) in V002's order, no filtering.
     */
    private void read(NodeLevel family, String head, RollupKey key, List<String> members, Instant from, Instant to,
                      List<FamilyRollups.Part> out) {
        Partition partition = new Partition(family, head, key.bucket());
        switch (key.granularity()) {
            case HOUR -> out.addAll(partition.select(Granularity.HOUR, members, from, to));
            case DAY -> out.addAll(partition.days(members, DerivedWindows.dayBoundary(from), DerivedWindows.dayBoundary(to)));
            case MONTH -> out.addAll(partition.months(members, from, to));
        }
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
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

        /**
         * The bucket's MONTH window if it starts in [from, to): FINAL MONTH rows, else summed from its days, each
         * member's settled days from {@link #settled} where a read before summed them.
         */
        List<FamilyRollups.Part> months(List<String> members, Instant from, Instant to) {
            BillingPeriod month = BillingPeriod.parse(bucket);
            if (month.start().isBefore(from) || !month.start().isBefore(to)) {
                return List.of();
            }
            List<FamilyRollups.Part> monthRows = select(Granularity.MONTH, members, month.start(), month.end());
            Set<String> served = DerivedWindows.finalMembers(monthRows);
            List<String> rest = members.stream().filter(m -> !served.contains(m)).toList();
            if (rest.isEmpty()) {
                return DerivedWindows.months(monthRows, List.of());
            }
            Map<String, SettledDays.Entry> kept = new HashMap<>();
            Instant daysFrom = month.end();
            for (String m : rest) {
                SettledDays.Entry e = settled.get(new SettledDays.Key(family, head, bucket, m));
                if (e != null) {
                    kept.put(m, e);
                }
                daysFrom = min(daysFrom, e == null ? month.start() : e.through());
            }
            List<FamilyRollups.Part> dayRows = daysFrom.isBefore(month.end())
                    ? select(Granularity.DAY, rest, daysFrom, month.end()) : List.of();
            Instant hoursFrom = DerivedWindows.hoursFrom(dayRows, daysFrom, clock.instant());
            List<FamilyRollups.Part> hourRows = hoursFrom.isBefore(month.end())
                    ? select(Granularity.HOUR, rest, hoursFrom, month.end()) : List.of();
            // a member's rows of days it has kept are in its kept sum already
            Predicate<FamilyRollups.Part> fresh = p -> {
                SettledDays.Entry e = kept.get(p.childId());
                return e == null || !p.windowStart().isBefore(e.through());
            };
            List<FamilyRollups.Part> freshDays = dayRows.stream().filter(fresh).toList();
            List<FamilyRollups.Part> days = new ArrayList<>(DerivedWindows.days(freshDays, hourRows.stream().filter(fresh).toList()));
            kept.values().forEach(e -> days.addAll(e.parts()));
            keepSettled(rest, kept, freshDays, hoursFrom);
            return DerivedWindows.months(monthRows, days);
        }

        /** Each member's days before {@code through} (every FINAL row of them in place) summed, for the next read. */
        private void keepSettled(List<String> members, Map<String, SettledDays.Entry> kept, List<FamilyRollups.Part> freshDays,
                                 Instant through) {
            Map<String, List<FamilyRollups.Part>> settledDays = new HashMap<>();
            for (FamilyRollups.Part d : freshDays) {
                if (d.windowStart().isBefore(through)) {
                    settledDays.computeIfAbsent(d.childId(), m -> new ArrayList<>()).add(d);
                }
            }
            for (String m : members) {
                SettledDays.Entry e = kept.get(m);
                if (e != null && !through.isAfter(e.through())) {
                    continue;
                }
                // the same windows a read without the kept sums makes of those days: their FINAL DAY rows, in the month
                List<FamilyRollups.Part> parts = new ArrayList<>(e == null ? List.of() : e.parts());
                parts.addAll(DerivedWindows.days(settledDays.getOrDefault(m, List.of()), List.of()));
                settled.put(new SettledDays.Key(family, head, bucket, m), new SettledDays.Entry(through,
                        DerivedWindows.months(List.of(), parts)));
            }
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
