package cms.api.input;

import java.time.Instant;

/**
 * The bounds CONTRACT.md (HTTP API) puts on every input, in one place: the body size, decimals,
 * instants, attribute maps, and how much of a bad value an error message may repeat. Each check is
 * done on the text before anything expensive is made of it, so no request can cost more than its
 * size.
 */
public final class InputLimits {
    /** A request body: 1 MiB, answered 413 beyond. */
    public static final int MAX_BODY_BYTES = 1 << 20;

    /** Significant digits of a decimal (the usage schema's precision). */
    public static final int MAX_SIGNIFICANT_DIGITS = 28;
    /** The power of ten of a decimal's leading digit lies within +-this (1e-40 .. 9.99e40). */
    public static final int MAX_DECIMAL_MAGNITUDE = 40;
    /** Characters of a decimal as written (sign, digits, point, exponent), trailing zeros included. */
    public static final int MAX_DECIMAL_CHARS = 100;

    /** Instants lie in [1970-01-01T00:00:00Z, 10000-01-01T00:00:00Z): within every long-millisecond codec. */
    public static final Instant MIN_INSTANT = Instant.parse("1970-01-01T00:00:00Z");
    public static final Instant END_INSTANT = Instant.parse("+10000-01-01T00:00:00Z");
    /** Characters of an instant as written; the longest ISO-8601 form is about 35. */
    public static final int MAX_INSTANT_CHARS = 64;

    public static final int MAX_ATTRIBUTES = 50;
    /** Characters of an attribute key and of an attribute value. */
    public static final int MAX_ATTRIBUTE_CHARS = 256;

    /** An error message repeats at most this many characters of a bad value. */
    public static final int MAX_ECHO_CHARS = 40;

    /** A bad value as an error message may quote it: at most {@link #MAX_ECHO_CHARS} characters, in quotes. */
    public static String echo(Object value) {
        String text = String.valueOf(value);
        return "'" + cut(text) + "'" + (text.length() > MAX_ECHO_CHARS ? " (" + text.length() + " characters)" : "");
    }

    /** The first {@link #MAX_ECHO_CHARS} characters, control characters escaped, "..." when cut. */
    public static String cut(String text) {
        StringBuilder out = new StringBuilder();
        int n = Math.min(text.length(), MAX_ECHO_CHARS);
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            // control characters would garble a log line or a terminal; show them escaped
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return text.length() > MAX_ECHO_CHARS ? out.append("...").toString() : out.toString();
    }

    private InputLimits() {}
}
