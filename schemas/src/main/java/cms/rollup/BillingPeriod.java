package cms.rollup;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** A billing period: a calendar month in UTC, written YYYY-MM. */
public record BillingPeriod(YearMonth month) implements Comparable<BillingPeriod> {
    /** Compiled once: String.matches compiled the pattern anew on every call, three times per rated event. */
    private static final java.util.regex.Pattern FORM = java.util.regex.Pattern.compile("\\d{4}-\\d{2}");

    private static final long DAY_MILLIS = 86_400_000L;
    /** Names of the periods from 1970-01 on, made once each (the rating stage names two periods an event). */
    private static final String[] NAMES = new String[12 * 400];

    public static BillingPeriod of(long epochMillis) {
        return new BillingPeriod(YearMonth.from(Instant.ofEpochMilli(epochMillis).atZone(ZoneOffset.UTC)));
    }

    /**
     * The period holding the instant, as months since 1970-01 (negative before), in integer arithmetic: the hot
     * path's form, without java.time (Howard Hinnant's civil_from_days on the UTC day).
     */
    public static int index(long epochMillis) {
        long z = Math.floorDiv(epochMillis, DAY_MILLIS) + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long doe = z - era * 146_097;
        long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        long month = mp < 10 ? mp + 3 : mp - 9;
        long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
        return Math.toIntExact((year - 1970) * 12 + month - 1);
    }

    /** The first instant (epoch ms) of the period with this {@link #index(long)} (days_from_civil of its first day). */
    public static long startMillis(int index) {
        long year = 1970 + Math.floorDiv(index, 12);
        int month = Math.floorMod(index, 12) + 1;
        year -= month <= 2 ? 1 : 0;
        long era = Math.floorDiv(year, 400);
        long yoe = year - era * 400;
        long doy = (153L * (month > 2 ? month - 3 : month + 9) + 2) / 5;
        long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return (era * 146_097 + doe - 719_468) * DAY_MILLIS;
    }

    /** The YYYY-MM name of the period with this {@link #index(long)}; from 1970 to 2369 made once and kept. */
    public static String name(int index) {
        if (index < 0 || index >= NAMES.length) {
            return ofIndex(index).toString();
        }
        String n = NAMES[index];
        if (n == null) {
            n = ofIndex(index).toString();
            NAMES[index] = n;   // a benign race: every thread makes the same immutable string
        }
        return n;
    }

    public static BillingPeriod ofIndex(int index) {
        return new BillingPeriod(YearMonth.of(1970 + Math.floorDiv(index, 12), Math.floorMod(index, 12) + 1));
    }

    /** This period's {@link #index(long)}. */
    public int index() {
        return (month.getYear() - 1970) * 12 + month.getMonthValue() - 1;
    }

    /** Parses YYYY-MM; a clear message otherwise. */
    public static BillingPeriod parse(String text) {
        if (text == null || !FORM.matcher(text).matches()) {
            throw new IllegalArgumentException("period must be YYYY-MM, was '" + text + "'");
        }
        try {
            return new BillingPeriod(YearMonth.parse(text));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("period must be YYYY-MM, was '" + text + "'");
        }
    }

    public Instant start() {
        return month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    /** Exclusive. */
    public Instant end() {
        return month.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    public BillingPeriod next() {
        return new BillingPeriod(month.plusMonths(1));
    }

    @Override
    public int compareTo(BillingPeriod o) {
        return month.compareTo(o.month);
    }

    @Override
    public String toString() {
        return month.toString();
    }
}
