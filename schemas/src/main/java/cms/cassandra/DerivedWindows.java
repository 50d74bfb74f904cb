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
 * DAY windows summed from the HOUR rows of one family partition (issue 13): the pipeline writes every HOUR and MONTH row
 * OPEN and FINAL, but DAY rows only FINAL, once. A member's day that has a FINAL row is its stored rows, added up as
 * {@link FamilyRollups#combine} does; one without is the sum of that day's HOUR rows (OPEN or FINAL), OPEN, and any
 * OPEN DAY row of it (written by an older pipeline) is ignored. MONTH windows stay stored rows (a derived MONTH read
 * took 4-9x as long, BENCHMARKS.md "Session 8, the read side").
 * Counts and decimals add exactly, per meter and currency; parts of other parents and writers (via) add as stored
 * parts do; updatedAt is the latest of the rows summed. "A day" here is one member's day in the partition, all
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
