package cms.api;

import cms.avro.NodeLevel;
import cms.cassandra.FamilyRollups;
import cms.rollup.Granularity;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Roll-up rows written to Cassandra as the pipeline's roll-up stage writes them: the shared upsert
 * ({@link FamilyRollups#INSERT}), one row for each family a usage touches (the subscription in its tenant's, the tenant
 * in its partner's, the partner in its distributor's, the distributor's own), written by the distributor's key (via),
 * FINAL rows with a write timestamp above every OPEN one; with every HOUR row the OPEN MONTH row of its member, meter,
 * currency and writer (the month to date). It keeps what it wrote, so a test can say what a window must add up to: the
 * sums of its HOUR rows (the truth every coarser row of the pipeline equals), and which rows a reader serves (a day's
 * FINAL DAY rows where it has them, else its HOUR rows; a month's MONTH rows) for the status and write time it must report.
 */
final class RollupLedger {
    /** A usage's lineage at its time: the families its rows go to; the distributor is the writer (via). */
    record Lineage(String subscription, String tenant, String partner, String distributor) {}

    /** One row as written. */
    record Written(String family, String head, Granularity granularity, String child, Instant start, String meter,
                   String currency, String via, String status, long events, BigDecimal quantity, BigDecimal amount,
                   BigDecimal partnerCommission, BigDecimal distributorCommission, Instant updatedAt) {}

    /** A window's expected values: sums, status, and the latest write of the rows a reader adds up. */
    static final class Sums {
        long events;
        BigDecimal quantity = BigDecimal.ZERO;
        BigDecimal amount = BigDecimal.ZERO;
        BigDecimal partnerCommission = BigDecimal.ZERO;
        BigDecimal distributorCommission = BigDecimal.ZERO;
        boolean allFinal = true;
        Instant updatedAt;

        void add(Written w) {
            events += w.events;
            quantity = quantity.add(w.quantity);
            amount = amount.add(w.amount);
            partnerCommission = partnerCommission.add(w.partnerCommission);
            distributorCommission = distributorCommission.add(w.distributorCommission);
        }

        void read(Written w, boolean finalRow) {
            allFinal &= finalRow;
            updatedAt = updatedAt == null || w.updatedAt.isAfter(updatedAt) ? w.updatedAt : updatedAt;
        }

        String status() {
            return allFinal ? "FINAL" : "OPEN";
        }
    }

    private final CqlSession cql;
    private final PreparedStatement insert;
    private final List<Written> rows = new ArrayList<>();
    /** The latest MONTH row of each (family, head, child, month, meter, currency, via). */
    private final Map<List<Object>, Written> months = new java.util.LinkedHashMap<>();

    RollupLedger(CqlSession cql) {
        this.cql = cql;
        this.insert = cql.prepare(FamilyRollups.INSERT);
    }

    /** A usage hour of one subscription, meter and currency: its HOUR row in each of the four families. */
    void hour(Lineage l, Instant hourStart, String meter, String currency, String status, long events, String quantity,
              String amount, String partnerCommission, String distributorCommission, Instant written) {
        for (String[] member : members(l)) {
            write(new Written(member[0], member[1], Granularity.HOUR, member[2], hourStart, meter, currency, l.distributor(), status,
                    events, new BigDecimal(quantity), new BigDecimal(amount), new BigDecimal(partnerCommission),
                    new BigDecimal(distributorCommission), written.truncatedTo(ChronoUnit.MILLIS)));
            openMonth(member, Instant.ofEpochMilli(Granularity.MONTH.start(hourStart.toEpochMilli())), meter, currency, l.distributor());
        }
    }

    /** The OPEN MONTH row as the pipeline rewrites it with each usage: the month's HOUR rows summed, dated by the latest. */
    private void openMonth(String[] member, Instant month, String meter, String currency, String via) {
        Written sum = null;
        for (Written h : rows) {
            if (h.granularity == Granularity.HOUR && h.family.equals(member[0]) && h.head.equals(member[1]) && h.child.equals(member[2])
                    && h.meter.equals(meter) && h.currency.equals(currency) && h.via.equals(via)
                    && Granularity.MONTH.start(h.start.toEpochMilli()) == month.toEpochMilli()) {
                sum = sum == null
                        ? new Written(h.family, h.head, Granularity.MONTH, h.child, month, meter, currency, via, "OPEN", h.events, h.quantity,
                                h.amount, h.partnerCommission, h.distributorCommission, h.updatedAt)
                        : new Written(sum.family, sum.head, Granularity.MONTH, sum.child, month, meter, currency, via, "OPEN",
                                sum.events + h.events, sum.quantity.add(h.quantity), sum.amount.add(h.amount),
                                sum.partnerCommission.add(h.partnerCommission), sum.distributorCommission.add(h.distributorCommission),
                                h.updatedAt.isAfter(sum.updatedAt) ? h.updatedAt : sum.updatedAt);
            }
        }
        bind(sum);
        months.put(List.of(sum.family, sum.head, sum.child, month, meter, currency, via), sum);
    }

    /**
     * The FINAL DAY rows of a day of the members matching {@code families} (family level, head, child), as the pipeline writes
     * them when the watermark passes the day's end plus the lateness: per member, meter, currency and writer the sums of
     * its HOUR rows.
     */
    void finalDay(Instant dayStart, Predicate<String[]> families, Instant written) {
        Map<List<Object>, Written> days = new TreeMap<>(java.util.Comparator.comparing(Object::toString));
        for (Written h : List.copyOf(rows)) {
            if (h.granularity == Granularity.HOUR && day(h.start).equals(dayStart) && families.test(new String[] {h.family, h.head, h.child})) {
                days.merge(List.of(h.family, h.head, h.child, h.meter, h.currency, h.via), h, (a, b) -> new Written(a.family, a.head,
                        a.granularity, a.child, a.start, a.meter, a.currency, a.via, a.status, a.events + b.events,
                        a.quantity.add(b.quantity), a.amount.add(b.amount), a.partnerCommission.add(b.partnerCommission),
                        a.distributorCommission.add(b.distributorCommission), a.updatedAt));
            }
        }
        for (Written d : days.values()) {
            write(new Written(d.family, d.head, Granularity.DAY, d.child, dayStart, d.meter, d.currency, d.via, "FINAL", d.events,
                    d.quantity, d.amount, d.partnerCommission, d.distributorCommission, written.truncatedTo(ChronoUnit.MILLIS)));
        }
    }

    /** A row an older pipeline wrote and a reader must ignore (an OPEN DAY row), not kept as truth. */
    void stale(String family, String head, Granularity granularity, String child, Instant start, String meter, String currency,
               String via, long events, String amount) {
        BigDecimal a = new BigDecimal(amount);
        bind(new Written(family, head, granularity, child, start, meter, currency, via, "OPEN", events, a, a, a, a,
                Instant.now().truncatedTo(ChronoUnit.MILLIS)));
    }

    /**
     * The expected windows of granularity {@code g} made of the rows matching (family level, head or null for any,
     * member or null for every child, a distributor's own rows not among them), keyed by window start, then by child (null unless {@code byChild}), meter and currency
     * (null to add meters up), in order. Sums from the HOUR rows; status and updatedAt from the rows a reader adds up
     * (for MONTH windows, the MONTH rows).
     */
    Map<String, Sums> expect(String family, String head, String member, Granularity g, boolean byChild, boolean byMeter) {
        Map<String, Sums> out = new TreeMap<>();
        for (Written w : rows) {
            if (!matches(w, family, head, member)) {
                continue;
            }
            Instant window = Instant.ofEpochMilli(g.start(w.start.toEpochMilli()));
            String key = window + "|" + (byChild ? w.child : "") + "|" + (byMeter ? w.meter : "") + "|" + w.currency;
            boolean dayFinal = hasFinalDay(w.family, w.head, w.child, day(w.start));
            if (w.granularity == Granularity.HOUR) {
                Sums s = out.computeIfAbsent(key, k -> new Sums());
                s.add(w);
                if (g == Granularity.HOUR || (g == Granularity.DAY && !dayFinal)) {
                    s.read(w, g == Granularity.HOUR && "FINAL".equals(w.status));
                }
            } else if (w.granularity == Granularity.DAY && g == Granularity.DAY) {
                out.computeIfAbsent(key, k -> new Sums()).read(w, true);
            }
        }
        if (g == Granularity.MONTH) {
            for (Written m : months.values()) {
                if (matches(m, family, head, member)) {
                    String key = m.start + "|" + (byChild ? m.child : "") + "|" + (byMeter ? m.meter : "") + "|" + m.currency;
                    out.computeIfAbsent(key, k -> new Sums()).read(m, "FINAL".equals(m.status));
                }
            }
        }
        return out;
    }

    private static boolean matches(Written w, String family, String head, String member) {
        boolean memberMatches = member == null ? !w.child.equals(FamilyRollups.OWN) : w.child.equals(member);
        return w.family.equals(family) && (head == null || w.head.equals(head)) && memberMatches;
    }

    private boolean hasFinalDay(String family, String head, String child, Instant day) {
        return rows.stream().anyMatch(r -> r.granularity == Granularity.DAY && r.family.equals(family) && r.head.equals(head)
                && r.child.equals(child) && r.start.equals(day));
    }

    private void write(Written w) {
        bind(w);
        rows.add(w);
    }

    private void bind(Written w) {
        long start = w.start.toEpochMilli();
        cql.execute(insert.bind(w.family, w.head, w.granularity.bucket(start), w.granularity.name(), w.child, w.start, w.meter,
                w.currency, w.via, Instant.ofEpochMilli(w.granularity.end(start)), w.status, w.events, w.quantity, w.amount,
                w.partnerCommission, w.distributorCommission, 0L, BigDecimal.ZERO, w.updatedAt,
                // as the pipeline's WriteOrder: FINAL above every OPEN, OPEN by progress
                "FINAL".equals(w.status) ? (1L << 62) + (w.events << 10) : w.events << 10));
    }

    private static List<String[]> members(Lineage l) {
        return List.of(
                new String[] {NodeLevel.TENANT.name(), l.tenant(), l.subscription()},
                new String[] {NodeLevel.PARTNER.name(), l.partner(), l.tenant()},
                new String[] {NodeLevel.DISTRIBUTOR.name(), l.distributor(), l.partner()},
                new String[] {NodeLevel.DISTRIBUTOR.name(), l.distributor(), FamilyRollups.OWN});
    }

    private static Instant day(Instant t) {
        return t.truncatedTo(ChronoUnit.DAYS);
    }

    static Instant hours(Instant day, int hour) {
        return day.plus(Duration.ofHours(hour));
    }
}
