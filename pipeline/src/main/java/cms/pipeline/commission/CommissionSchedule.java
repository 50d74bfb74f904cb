package cms.pipeline.commission;

import cms.avro.CommissionShare;
import cms.avro.ShareModel;
import cms.avro.ShareTier;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * A beneficiary's commission as a function of its period-to-date subtree amount S. FLAT: rate * S.
 * GRADUATED: each part of S earns the rate of the tier it falls in.
 *
 * <p>FLAT: an event earns rate * a, rounded half-even to 18 places: the same in every run, whatever
 * the order. GRADUATED: an event earns C(S + a) - C(S), with C rounded half-even to 18 places first,
 * so a period's commissions telescope to exactly C(period total) whatever the order of events (also
 * when a VOLUME price makes a negative); how that total splits between events (and so between
 * windows) depends on the order in which the beneficiary's subscriptions' usage arrives.
 */
public final class CommissionSchedule {
    public static BigDecimal increase(CommissionShare share, BigDecimal before, BigDecimal amount) {
        if (share.getModel() == ShareModel.FLAT) {
            return amount.multiply(share.getTiers().get(0).getRate()).setScale(cms.pipeline.rating.Pricing.MONEY_SCALE, RoundingMode.HALF_EVEN);
        }
        return commission(share, before.add(amount)).subtract(commission(share, before));
    }

    /** C(S). A negative S (possible only transiently under VOLUME) earns the first tier's rate. */
    public static BigDecimal commission(CommissionShare share, BigDecimal subtotal) {
        BigDecimal c;
        if (share.getModel() == ShareModel.FLAT || subtotal.signum() <= 0) {
            c = subtotal.multiply(share.getTiers().get(0).getRate());
        } else {
            c = BigDecimal.ZERO;
            BigDecimal lower = BigDecimal.ZERO;
            for (ShareTier tier : share.getTiers()) {
                BigDecimal upper = tier.getUpTo() == null ? subtotal : tier.getUpTo().min(subtotal);
                if (upper.compareTo(lower) > 0) {
                    c = c.add(upper.subtract(lower).multiply(tier.getRate()));
                }
                if (tier.getUpTo() == null || subtotal.compareTo(tier.getUpTo()) <= 0) {
                    break;
                }
                lower = tier.getUpTo();
            }
        }
        return c.setScale(cms.pipeline.rating.Pricing.MONEY_SCALE, RoundingMode.HALF_EVEN);
    }

    private CommissionSchedule() {}
}
