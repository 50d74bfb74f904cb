package cms.rollup;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** A billing period: a calendar month in UTC, written YYYY-MM. */
public record BillingPeriod(YearMonth month) implements Comparable<BillingPeriod> {
    /** Compiled once: String.matches compiled the pattern anew on every call, three times per rated event. */
    private static final java.util.regex.Pattern FORM = java.util.regex.Pattern.compile("\\d{4}-\\d{2}");

    public static BillingPeriod of(long epochMillis) {
        return new BillingPeriod(YearMonth.from(Instant.ofEpochMilli(epochMillis).atZone(ZoneOffset.UTC)));
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
