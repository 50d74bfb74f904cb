package cms.cassandra;

import cms.cassandra.FamilyRollups.Part;
import cms.rollup.Granularity;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * DAY and MONTH windows summed from finer rows of one family partition (issue 13): the pipeline writes every HOUR row
 * OPEN and FINAL, but DAY and MONTH rows only FINAL, once. A member's window that has a FINAL row is its stored rows,
 * added up as {@link FamilyRollups#combine} does; one without is summed from the finer rows, OPEN, and any OPEN row of
 * it (written by an older pipeline) is ignored:
 * <ul>
 *   <li>an OPEN DAY window is the sum of that day's HOUR rows (OPEN or FINAL);</li>
 *   <li>an OPEN MONTH window is the sum of its days: a day with a FINAL DAY row as stored, the others from their HOUR
 *   rows.</li>
 * </ul>
 * Counts and decimals add exactly, per meter and currency; parts of other parents and writers (via) add as stored
 * parts do; updatedAt is the latest of the rows summed. "A window" here is one member's window in the partition, all
 * meters, currencies and writers: its FINAL rows are all written at the same watermark.
 *
 * <p>Which HOUR rows a reader must fetch ({@link #hoursFrom}): days finalize in order, so a day before the newest day
 * whose FINAL rows were written more than {@link #SETTLE} ago has all its FINAL rows in place (for every member and
 * writer) and needs no HOUR rows; the later days' HOUR rows are read, and those of a day that has a FINAL row are not
 * used. A reader thus reads the open days' HOUR rows (and, for SETTLE after a day's FINAL rows were written, that
 * day's too, which covers a FINAL commit still landing, or a writer whose FINAL rows come later than another's).
 */
public final class DerivedWindows {
    /**
     * How long after its FINAL rows were written a day's HOUR rows are still read: longer than a commit of FINAL rows
     * takes to land (retried while Cassandra is away) and than one writer may lag another at the same watermark.
     */
    public static final Duration SETTLE = Duration.ofHours(1);

    /**
     * Where the HOUR rows needed for DAY windows starting in [from, ...) start, given the DAY rows read from there on
     * ({@code dayRows}, any status): the day after the newest day whose FINAL rows were all written at or before
     * {@code now - SETTLE}, or the first day start at or after {@code from} if that is later.
     */
    public static Instant hoursFrom(Collection<Part> dayRows, Instant from, Instant now) {
        Instant first = dayBoundary(from);
        Map<Instant, Instant> newestFinalWrite = new HashMap<>();
        for (Part p : dayRows) {
            if (p.isFinal()) {
                // a row without updated_at (never the pipeline's) counts as written long ago
                Instant at = p.updatedAt() == null ? Instant.EPOCH : p.updatedAt();
                newestFinalWrite.merge(p.windowStart(), at, (a, b) -> a.isAfter(b) ? a : b);
            }
        }
        Instant settledBy = now.minus(SETTLE);
        Instant out = first;
        for (Map.Entry<Instant, Instant> day : newestFinalWrite.entrySet()) {
            Instant next = day.getKey().plus(Duration.ofDays(1));
            if (!day.getValue().isAfter(settledBy) && next.isAfter(out)) {
                out = next;
            }
        }
        return out;
    }

    /**
     * The DAY windows of the members: a member's day with a FINAL DAY row is its DAY rows; the others are the sums of
     * their HOUR rows in {@code hourRows}, OPEN. Windows ordered as {@link FamilyRollups#combine} orders them.
     */
    public static List<Part> days(Collection<Part> dayRows, Collection<Part> hourRows) {
        Set<List<Object>> served = finalWindows(dayRows);
        List<Part> parts = new ArrayList<>();
        for (Part d : dayRows) {
            if (served.contains(List.of(d.childId(), d.windowStart()))) {
                parts.add(d);
            }
        }
        for (Part h : hourRows) {
            Instant day = Instant.ofEpochMilli(Granularity.DAY.start(h.windowStart().toEpochMilli()));
            if (!served.contains(List.of(h.childId(), day))) {
                parts.add(h.openIn(day, day.plus(Duration.ofDays(1))));
            }
        }
        return FamilyRollups.combine(parts);
    }

    /** The members with a FINAL row among {@code rows}: their windows need no finer rows. */
    public static Set<String> finalMembers(Collection<Part> rows) {
        Set<String> out = new HashSet<>();
        for (Part p : rows) {
            if (p.isFinal()) {
                out.add(p.childId());
            }
        }
        return out;
    }

    /**
     * The MONTH windows of the members: a member with a FINAL MONTH row in {@code monthRows} is its MONTH rows; the
     * others the sums of their {@code days} (from {@link #days}) in the month, OPEN.
     */
    public static List<Part> months(Collection<Part> monthRows, Collection<Part> days) {
        Set<String> served = finalMembers(monthRows);
        List<Part> parts = new ArrayList<>();
        for (Part m : monthRows) {
            if (served.contains(m.childId())) {
                parts.add(m);
            }
        }
        for (Part d : days) {
            if (!served.contains(d.childId())) {
                long t = d.windowStart().toEpochMilli();
                parts.add(d.openIn(Instant.ofEpochMilli(Granularity.MONTH.start(t)), Instant.ofEpochMilli(Granularity.MONTH.end(t))));
            }
        }
        return FamilyRollups.combine(parts);
    }

    /** (member, window start) of every window with a FINAL row. */
    private static Set<List<Object>> finalWindows(Collection<Part> rows) {
        Set<List<Object>> out = new HashSet<>();
        for (Part p : rows) {
            if (p.isFinal()) {
                out.add(List.of(p.childId(), p.windowStart()));
            }
        }
        return out;
    }

    /** The first day start at or after {@code t}: DAY windows starting in [from, to) start in [this(from), this(to)). */
    public static Instant dayBoundary(Instant t) {
        long start = Granularity.DAY.start(t.toEpochMilli());
        return Instant.ofEpochMilli(start == t.toEpochMilli() ? start : Granularity.DAY.end(t.toEpochMilli()));
    }

    private DerivedWindows() {}
}
