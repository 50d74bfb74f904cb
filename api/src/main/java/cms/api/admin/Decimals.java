package cms.api.admin;

import cms.api.errors.Problems;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * An Avro decimal's precision and scale. Input with more decimal places than the schema keeps is
 * refused rather than rounded: money and quantities are never changed silently.
 */
record Decimals(int precision, int scale) {
    void check(BigDecimal value, String field, Problems problems) {
        if (value.signum() < 0) {
            problems.add(field, "must not be negative");
        } else if (value.stripTrailingZeros().scale() > scale) {
            problems.add(field, "at most " + scale + " decimal places");
        } else if (value.setScale(scale, RoundingMode.UNNECESSARY).precision() > precision) {
            problems.add(field, "too large (at most " + (precision - scale) + " integer digits)");
        }
    }

    BigDecimal scaled(BigDecimal value) {
        return value.setScale(scale, RoundingMode.UNNECESSARY);
    }
}
