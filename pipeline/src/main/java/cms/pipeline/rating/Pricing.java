package cms.pipeline.rating;

import cms.avro.PriceBookVersion;
import cms.avro.PriceTier;
import cms.avro.Rate;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;

/**
 * The period amount as a function of the period's cumulative quantity, per pricing model. An event
 * is charged the increase it causes, P(before + q) - P(before); P is rounded half-even to 18 places
 * before the difference, so the increments of a period telescope to exactly P(total) whatever the
 * order of events.
 */
public final class Pricing {
    /** Scale of money everywhere in the pipeline (the Avro money fields). */
    public static final int MONEY_SCALE = 18;
    /** Digits of money in the rated record (RatedUsage.amount's decimal): more and Avro refuses to encode it. */
    public static final int MONEY_PRECISION = ((org.apache.avro.LogicalTypes.Decimal) cms.avro.RatedUsage.getClassSchema()
            .getField("amount").schema().getLogicalType()).getPrecision();

    /** True when {@code amount}, at {@link #MONEY_SCALE}, has at most {@link #MONEY_PRECISION} digits. */
    public static boolean fitsMoney(BigDecimal amount) {
        return amount.setScale(MONEY_SCALE, RoundingMode.HALF_EVEN).precision() <= MONEY_PRECISION;
    }

    /** The rate for {@code meterId} in {@code region}: a region's own rate, else the meter's rate without region, else null. */
    public static Rate rateFor(PriceBookVersion version, String meterId, String region) {
        Rate fallback = null;
        for (Rate r : version.getRates()) {
            if (!r.getMeterId().equals(meterId)) {
                continue;
            }
            if (r.getRegion() == null) {
                fallback = fallback == null ? r : fallback;
            } else if (r.getRegion().equals(region)) {
                return r;
            }
        }
        return fallback;
    }

    /** The increase in the period amount when the period quantity grows from {@code before} by {@code quantity}. */
    public static BigDecimal increase(Rate rate, BigDecimal before, BigDecimal quantity) {
        return periodAmount(rate, before.add(quantity)).subtract(periodAmount(rate, before));
    }

    /** P(Q): the period amount for a cumulative period quantity Q, at scale 18. */
    public static BigDecimal periodAmount(Rate rate, BigDecimal periodQuantity) {
        BigDecimal billable = periodQuantity.subtract(rate.getIncludedQuantity());
        if (billable.signum() <= 0) {
            return BigDecimal.ZERO.setScale(MONEY_SCALE);
        }
        List<PriceTier> tiers = rate.getTiers();
        BigDecimal amount = switch (rate.getModel()) {
            case PER_UNIT -> billable.multiply(tiers.get(0).getUnitPrice());
            case GRADUATED -> graduated(tiers, billable);
            case VOLUME -> billable.multiply(volumeTier(tiers, billable).getUnitPrice());
        };
        return amount.setScale(MONEY_SCALE, RoundingMode.HALF_EVEN);
    }

    /** Why a rate cannot price anything, or null when it is usable. */
    public static String defect(Rate rate) {
        List<PriceTier> tiers = rate.getTiers();
        if (tiers == null || tiers.isEmpty()) {
            return "rate for " + rate.getMeterId() + " has no tiers";
        }
        BigDecimal previous = BigDecimal.ZERO;
        for (int i = 0; i < tiers.size(); i++) {
            BigDecimal upTo = tiers.get(i).getUpTo();
            if (upTo == null && i != tiers.size() - 1) {
                return "rate for " + rate.getMeterId() + ": only the last tier may be unbounded";
            }
            if (upTo != null && upTo.compareTo(previous) <= 0) {
                return "rate for " + rate.getMeterId() + ": tier bounds must ascend";
            }
            previous = upTo == null ? previous : upTo;
        }
        if (tiers.get(tiers.size() - 1).getUpTo() != null && rate.getModel() != cms.avro.PricingModel.PER_UNIT) {
            return "rate for " + rate.getMeterId() + ": the last tier must be unbounded";
        }
        return null;
    }

    /** Each unit in the tier it falls in: tier i covers billable quantities in (upTo[i-1], upTo[i]]. */
    private static BigDecimal graduated(List<PriceTier> tiers, BigDecimal billable) {
        BigDecimal total = BigDecimal.ZERO;
        BigDecimal lower = BigDecimal.ZERO;
        for (PriceTier tier : tiers) {
            BigDecimal upper = tier.getUpTo() == null ? billable : tier.getUpTo().min(billable);
            if (upper.compareTo(lower) > 0) {
                total = total.add(upper.subtract(lower).multiply(tier.getUnitPrice()));
            }
            if (tier.getUpTo() == null || billable.compareTo(tier.getUpTo()) <= 0) {
                break;
            }
            lower = tier.getUpTo();
        }
        return total;
    }

    /** The tier the whole billable quantity reached: the first whose bound it does not exceed. */
    private static PriceTier volumeTier(List<PriceTier> tiers, BigDecimal billable) {
        for (PriceTier tier : tiers) {
            if (tier.getUpTo() == null || billable.compareTo(tier.getUpTo()) <= 0) {
                return tier;
            }
        }
        return tiers.get(tiers.size() - 1);
    }

    private Pricing() {}
}
