package cms.pipeline.model;

import java.math.BigDecimal;

/**
 * What the roll-up operator keeps of one {@link FamilySlot} between writes: the window's counts and
 * sums, and whether (and since when) it changed since last written. A Flink POJO.
 */
public class SlotSums {
    public long windowEnd;
    public long eventCount;
    public BigDecimal quantity = BigDecimal.ZERO;
    public BigDecimal amount = BigDecimal.ZERO;
    public BigDecimal partnerCommission = BigDecimal.ZERO;
    public BigDecimal distributorCommission = BigDecimal.ZERO;
    public long adjustmentCount;
    public BigDecimal adjustmentAmount = BigDecimal.ZERO;
    /** Changed since last written. */
    public boolean dirty;
    /** When (processing time) a dirty row is due to be written. */
    public long dueAt;
    /** When the oldest usage not yet written reached Kafka: the row's freshness when written. */
    public long oldestReceivedAt;

    public SlotSums() {}

    public SlotSums(long windowEnd) {
        this.windowEnd = windowEnd;
    }

    /** Adds one rated event. */
    public void add(RatedEvent e) {
        eventCount++;
        quantity = quantity.add(e.event.getQuantity());
        amount = amount.add(e.amount);
        partnerCommission = partnerCommission.add(e.partnerCommission);
        distributorCommission = distributorCommission.add(e.distributorCommission);
        if (e.lateAdjustment) {
            adjustmentCount++;
            adjustmentAmount = adjustmentAmount.add(e.amount);
        }
    }
}
