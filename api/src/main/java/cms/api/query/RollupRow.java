package cms.api.query;

import java.math.BigDecimal;
import java.time.Instant;

/** One window of a node (childId null) or of one of its children, its stored parts added up. Missing decimals read as zero. */
public record RollupRow(Instant windowStart, Instant windowEnd, String childId, String meterId, String currency,
                        String status, long eventCount, BigDecimal quantity, BigDecimal amount,
                        BigDecimal partnerCommission, BigDecimal distributorCommission, long adjustmentCount,
                        BigDecimal adjustmentAmount) {
    public static final String FINAL = "FINAL";

    public boolean isFinal() {
        return FINAL.equals(status);
    }
}
