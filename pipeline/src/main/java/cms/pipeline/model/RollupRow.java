package cms.pipeline.model;

import java.math.BigDecimal;

/**
 * One row of the rollups or rollups_by_child table: a window of one node (and, by child, one child),
 * one meter, one currency. The same class carries one event's contribution (eventCount 1) into the
 * roll-up operator and the accumulated window out of it.
 */
public class RollupRow {
    public static final String OPEN = "OPEN";
    public static final String FINAL = "FINAL";

    /** Empty for the rollups table, the child's id for rollups_by_child. */
    public String childId = "";
    public String level;
    public String nodeId;
    public String granularity;
    public String bucket;
    public long windowStart;
    public long windowEnd;
    public String meterId;
    public String currency;
    public String status;
    public long eventCount;
    public BigDecimal quantity = BigDecimal.ZERO;
    public BigDecimal amount = BigDecimal.ZERO;
    public BigDecimal partnerCommission = BigDecimal.ZERO;
    public BigDecimal distributorCommission = BigDecimal.ZERO;
    public long adjustmentCount;
    public BigDecimal adjustmentAmount = BigDecimal.ZERO;
    /** Cassandra write timestamp (USING TIMESTAMP): see RollupStatements (OPEN band below, FINAL band above 2^62). */
    public long writeTimestamp;

    public RollupRow() {}

    public boolean byChild() {
        return childId != null && !childId.isEmpty();
    }

    /** The row's primary key: what the roll-up operator is keyed by. */
    public String key() {
        return level + '|' + nodeId + '|' + granularity + '|' + windowStart + '|' + childId + '|' + meterId + '|' + currency;
    }

    public RollupRow copy() {
        RollupRow r = new RollupRow();
        r.childId = childId;
        r.level = level;
        r.nodeId = nodeId;
        r.granularity = granularity;
        r.bucket = bucket;
        r.windowStart = windowStart;
        r.windowEnd = windowEnd;
        r.meterId = meterId;
        r.currency = currency;
        r.status = status;
        r.eventCount = eventCount;
        r.quantity = quantity;
        r.amount = amount;
        r.partnerCommission = partnerCommission;
        r.distributorCommission = distributorCommission;
        r.adjustmentCount = adjustmentCount;
        r.adjustmentAmount = adjustmentAmount;
        r.writeTimestamp = writeTimestamp;
        return r;
    }

    /** Adds another contribution to the same window. */
    public void add(RollupRow other) {
        eventCount += other.eventCount;
        quantity = quantity.add(other.quantity);
        amount = amount.add(other.amount);
        partnerCommission = partnerCommission.add(other.partnerCommission);
        distributorCommission = distributorCommission.add(other.distributorCommission);
        adjustmentCount += other.adjustmentCount;
        adjustmentAmount = adjustmentAmount.add(other.adjustmentAmount);
    }

    @Override
    public String toString() {
        return key() + " " + status + " n=" + eventCount + " q=" + quantity + " a=" + amount + " pc=" + partnerCommission
                + " dc=" + distributorCommission + " adj=" + adjustmentCount + "/" + adjustmentAmount + " ts=" + writeTimestamp;
    }
}
