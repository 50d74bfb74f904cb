package cms.pipeline.model;

import java.math.BigDecimal;

/**
 * What the roll-up operator keeps of a window between writes: its counts and sums, and the parent the
 * node was booked under first. The window's identity (level, node, granularity, start, meter,
 * currency) is the state's key and is not repeated here: Flink writes state strings char by char at
 * every checkpoint, which was the job's largest cost (BENCHMARKS.md). A Flink POJO.
 */
public class RollupSums {
    /** The parent whose by-child breakdown the window feeds first (empty for a distributor). */
    public String parentId = "";
    public long eventCount;
    public BigDecimal quantity = BigDecimal.ZERO;
    public BigDecimal amount = BigDecimal.ZERO;
    public BigDecimal partnerCommission = BigDecimal.ZERO;
    public BigDecimal distributorCommission = BigDecimal.ZERO;
    public long adjustmentCount;
    public BigDecimal adjustmentAmount = BigDecimal.ZERO;
    /** When the pending refresh (processing-time) timer fires; 0 when the window is unchanged since written. */
    public long refreshAt;

    public RollupSums() {}

    /** A window holding one contribution, under the contribution's parent. */
    public static RollupSums of(RollupRow contribution) {
        RollupSums s = new RollupSums();
        s.parentId = contribution.parentId == null ? "" : contribution.parentId;
        s.add(contribution);
        return s;
    }

    public boolean hasParent() {
        return !parentId.isEmpty();
    }

    /** Adds a contribution to the same window. */
    public void add(RollupRow c) {
        eventCount += c.eventCount;
        quantity = quantity.add(c.quantity);
        amount = amount.add(c.amount);
        partnerCommission = partnerCommission.add(c.partnerCommission);
        distributorCommission = distributorCommission.add(c.distributorCommission);
        adjustmentCount += c.adjustmentCount;
        adjustmentAmount = adjustmentAmount.add(c.adjustmentAmount);
    }

    /** Removes a part that {@link #add} added earlier (exact: every value is a sum). */
    public void subtract(RollupSums part) {
        eventCount -= part.eventCount;
        quantity = quantity.subtract(part.quantity);
        amount = amount.subtract(part.amount);
        partnerCommission = partnerCommission.subtract(part.partnerCommission);
        distributorCommission = distributorCommission.subtract(part.distributorCommission);
        adjustmentCount -= part.adjustmentCount;
        adjustmentAmount = adjustmentAmount.subtract(part.adjustmentAmount);
    }

    public RollupSums copy() {
        RollupSums s = new RollupSums();
        s.parentId = parentId;
        s.eventCount = eventCount;
        s.quantity = quantity;
        s.amount = amount;
        s.partnerCommission = partnerCommission;
        s.distributorCommission = distributorCommission;
        s.adjustmentCount = adjustmentCount;
        s.adjustmentAmount = adjustmentAmount;
        s.refreshAt = refreshAt;
        return s;
    }

    /** {@code row} with these counts and sums; returns it. */
    public RollupRow applyTo(RollupRow row) {
        row.eventCount = eventCount;
        row.quantity = quantity;
        row.amount = amount;
        row.partnerCommission = partnerCommission;
        row.distributorCommission = distributorCommission;
        row.adjustmentCount = adjustmentCount;
        row.adjustmentAmount = adjustmentAmount;
        return row;
    }
}
