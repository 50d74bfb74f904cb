package cms.api.admin;

import cms.api.errors.Problems;

import java.math.BigDecimal;

/**
 * The upper bounds of a tier list, as price tiers and commission tiers both have them: every tier
 * but the last has an {@code upTo}, the last has none, and the bounds are positive and ascend.
 */
final class TierBounds {
    private final String at;
    private final int size;
    private final Decimals scale;
    private BigDecimal previous;

    /** @param at the field path of the tier list, e.g. {@code rates[0].tiers} */
    TierBounds(String at, int size, Decimals scale) {
        this.at = at;
        this.size = size;
        this.scale = scale;
    }

    /** Checks tier {@code j}'s bound (null for none), in order, reporting under {@code at[j].upTo}. */
    void check(int j, BigDecimal upTo, Problems problems) {
        String field = at + "[" + j + "].upTo";
        boolean last = j == size - 1;
        if (last && upTo != null) {
            problems.add(field, "the last tier has no upper bound (omit upTo)");
        }
        if (!last && upTo == null) {
            problems.add(field, "is required on every tier but the last");
        }
        if (upTo != null) {
            scale.check(upTo, field, problems);
            if (upTo.signum() <= 0) {
                problems.add(field, "must be greater than 0");
            } else if (previous != null && upTo.compareTo(previous) <= 0) {
                problems.add(field, "tiers must ascend: " + upTo.toPlainString() + " is not above " + previous.toPlainString());
            }
            previous = upTo;
        }
    }
}
