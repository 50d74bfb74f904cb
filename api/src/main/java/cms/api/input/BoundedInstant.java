package cms.api.input;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * Instants as the API reads them: ISO-8601 with an offset (e.g. 2026-10-01T00:00:00Z), between
 * 1970-01-01 and 9999-12-31, so every later step (epoch milliseconds in the topics' keys and in
 * Cassandra, the pipeline's event time) can hold them.
 */
public final class BoundedInstant {
    static final String FORMAT = "ISO-8601 with an offset, e.g. 2026-10-01T00:00:00Z";

    /** The instant; else 400 for text that is none, 422 for one outside 1970..9999. */
    public static Instant parse(String text) throws InputProblem {
        if (text.length() > InputLimits.MAX_INSTANT_CHARS) {
            throw new InputProblem(InputProblem.MALFORMED, "must be " + FORMAT + "; was " + InputLimits.echo(text));
        }
        Instant instant;
        try {
            instant = OffsetDateTime.parse(text.strip()).toInstant();
        } catch (DateTimeParseException e) {
            throw new InputProblem(InputProblem.MALFORMED, "must be " + FORMAT + "; was " + InputLimits.echo(text));
        }
        check(instant);
        return instant;
    }

    /** 422 unless 1970-01-01T00:00:00Z <= instant < 10000-01-01T00:00:00Z. */
    public static Instant check(Instant instant) throws InputProblem {
        if (!inRange(instant)) {
            throw new InputProblem(InputProblem.LIMIT, rangeProblem(instant));
        }
        return instant;
    }

    public static boolean inRange(Instant instant) {
        return !instant.isBefore(InputLimits.MIN_INSTANT) && instant.isBefore(InputLimits.END_INSTANT);
    }

    public static String rangeProblem(Instant instant) {
        return "must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z, was " + InputLimits.echo(instant);
    }

    private BoundedInstant() {}
}
