package cms.rollup;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The event-time windows of the roll-ups, all in UTC (MONTH is the billing period), and the
 * Cassandra partition bucket each window is stored in: YYYY-MM of its start, for every granularity, so
 * an event's HOUR, DAY and MONTH rows in a family are one partition and one mutation (a MONTH row in a
 * partition of its own year cost a second mutation per event and family). A query over a year of
 * months reads twelve partitions. The pipeline writes with it and the API reads with it.
 */
public enum Granularity {
    HOUR, DAY, MONTH;

    private static final long HOUR_MILLIS = 3_600_000L;
    private static final long DAY_MILLIS = 86_400_000L;

    /** Start (epoch millis) of the window holding {@code t}. */
    public long start(long t) {
        // UTC hours and days are fixed lengths of epoch millis (no leap seconds in epoch time): no calendar on the hot path
        if (this == HOUR) {
            return t - Math.floorMod(t, HOUR_MILLIS);
        }
        if (this == DAY) {
            return t - Math.floorMod(t, DAY_MILLIS);
        }
        LocalDateTime dt = LocalDateTime.ofInstant(Instant.ofEpochMilli(t), ZoneOffset.UTC);
        LocalDateTime s = switch (this) {
            case HOUR -> dt.truncatedTo(ChronoUnit.HOURS);
            case DAY -> dt.truncatedTo(ChronoUnit.DAYS);
            case MONTH -> dt.truncatedTo(ChronoUnit.DAYS).withDayOfMonth(1);
        };
        return s.toInstant(ZoneOffset.UTC).toEpochMilli();
    }

    /** End (exclusive, epoch millis) of the window holding {@code t}. */
    public long end(long t) {
        if (this == HOUR) {
            return start(t) + HOUR_MILLIS;
        }
        if (this == DAY) {
            return start(t) + DAY_MILLIS;
        }
        LocalDateTime s = LocalDateTime.ofInstant(Instant.ofEpochMilli(start(t)), ZoneOffset.UTC);
        LocalDateTime e = switch (this) {
            case HOUR -> s.plusHours(1);
            case DAY -> s.plusDays(1);
            case MONTH -> s.plusMonths(1);
        };
        return e.toInstant(ZoneOffset.UTC).toEpochMilli();
    }

    /** The partition bucket of the window holding {@code t}. */
    public String bucket(long t) {
        return BillingPeriod.of(t).toString();
    }

    /** Every bucket holding a window that starts in [from, to), in order. */
    public List<String> buckets(Instant from, Instant to) {
        List<String> out = new ArrayList<>();
        if (!to.isAfter(from)) {
            return out;
        }
        YearMonth first = YearMonth.from(from.atZone(ZoneOffset.UTC));
        YearMonth last = YearMonth.from(to.minusMillis(1).atZone(ZoneOffset.UTC));
        for (YearMonth m = first; !m.isAfter(last); m = m.plusMonths(1)) {
            out.add(m.toString());
        }
        return out;
    }
}
