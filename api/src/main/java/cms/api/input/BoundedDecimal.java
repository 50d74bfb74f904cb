package cms.api.input;

import java.math.BigDecimal;
import java.util.Optional;

/**
 * Decimal input read from its text with the contract's bounds checked first: at most
 * {@link InputLimits#MAX_SIGNIFICANT_DIGITS} significant digits and a leading digit within
 * 10^+-{@link InputLimits#MAX_DECIMAL_MAGNITUDE}. Only then is a BigDecimal made, so "1e999999999"
 * costs what its eleven characters cost, never a billion-digit number.
 */
public final class BoundedDecimal {
    /**
     * The value; else 400 for text that is no decimal, 422 for one beyond the bounds, with a message
     * that quotes at most {@link InputLimits#MAX_ECHO_CHARS} characters of it.
     */
    public static BigDecimal parse(String text) throws InputProblem {
        Optional<String> problem = problem(text);
        if (problem.isPresent()) {
            String p = problem.get();
            throw new InputProblem(p.startsWith(NOT_A_DECIMAL) ? InputProblem.MALFORMED : InputProblem.LIMIT, p);
        }
        return new BigDecimal(text);
    }

    /** What is wrong with this text as a bounded decimal, if anything. */
    public static Optional<String> problem(String text) {
        if (text.isEmpty()) {
            return Optional.of(notADecimal(text));
        }
        if (text.length() > InputLimits.MAX_DECIMAL_CHARS) {
            return Optional.of("at most " + InputLimits.MAX_DECIMAL_CHARS + " characters, was " + text.length());
        }
        int i = 0;
        int n = text.length();
        if (i < n && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
            i++;
        }
        int leading = Integer.MIN_VALUE; // power of ten of the first non-zero digit, before the exponent
        int lastNonZero = Integer.MIN_VALUE;
        int digits = 0;
        int intDigits = 0;
        boolean point = false;
        boolean any = false;
        for (; i < n; i++) {
            char c = text.charAt(i);
            if (c == '.' && !point) {
                point = true;
            } else if (c >= '0' && c <= '9') {
                any = true;
                if (!point) {
                    intDigits++;
                }
                digits++;
                if (c != '0') {
                    if (leading == Integer.MIN_VALUE) {
                        leading = digits;
                    }
                    lastNonZero = digits;
                }
            } else {
                break;
            }
        }
        if (!any) {
            return Optional.of(notADecimal(text));
        }
        long exponent = 0;
        if (i < n) {
            char c = text.charAt(i);
            if (c != 'e' && c != 'E') {
                return Optional.of(notADecimal(text));
            }
            i++;
            boolean negative = false;
            if (i < n && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
                negative = text.charAt(i) == '-';
                i++;
            }
            if (i == n) {
                return Optional.of(notADecimal(text));
            }
            for (; i < n; i++) {
                char d = text.charAt(i);
                if (d < '0' || d > '9') {
                    return Optional.of(notADecimal(text));
                }
                // the length bound keeps this from overflowing a long: at most 100 digits are seen,
                // and any exponent past the magnitude bound is refused below
                exponent = Math.min(exponent * 10 + (d - '0'), 1_000_000_000L);
            }
            if (negative) {
                exponent = -exponent;
            }
        }
        if (leading == Integer.MIN_VALUE) {
            // zero, however written: only its exponent could make it costly
            return Math.abs(exponent) > InputLimits.MAX_DECIMAL_MAGNITUDE
                    ? Optional.of("out of range: " + InputLimits.echo(text) + " (exponent beyond +-" + InputLimits.MAX_DECIMAL_MAGNITUDE + ")")
                    : Optional.empty();
        }
        int significant = lastNonZero - leading + 1;
        if (significant > InputLimits.MAX_SIGNIFICANT_DIGITS) {
            return Optional.of("at most " + InputLimits.MAX_SIGNIFICANT_DIGITS + " significant digits, was "
                    + significant + " in " + InputLimits.echo(text));
        }
        long magnitude = (long) intDigits - leading + exponent; // power of ten of the leading digit
        if (Math.abs(magnitude) > InputLimits.MAX_DECIMAL_MAGNITUDE) {
            return Optional.of("out of range: " + InputLimits.echo(text) + " (the leading digit must be within 1e-"
                    + InputLimits.MAX_DECIMAL_MAGNITUDE + " and 1e" + InputLimits.MAX_DECIMAL_MAGNITUDE + ")");
        }
        return Optional.empty();
    }

    private static final String NOT_A_DECIMAL = "must be a decimal number";

    private static String notADecimal(String text) {
        return NOT_A_DECIMAL + " (e.g. \"12.5\"), was " + InputLimits.echo(text);
    }

    private BoundedDecimal() {}
}
