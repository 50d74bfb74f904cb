package cms.pipeline.model;

import java.math.BigDecimal;

/**
 * One row of the rollups or rollups_by_child table: a window of one node (and, by child, one child),
 * one meter, one currency. The same class carries one event's contribution (eventCount 1) into the
 * roll-up operator, its accumulated window, and the rows out of it.
 *
 * <p>A contribution and a node's own window name the node's parent (parentLevel, parentId): the same
 * window is also the node's row in its parent's by-child breakdown, so one accumulator serves both.
 */
public class RollupRow {
    public static final String OPEN = "OPEN";
    public static final String FINAL = "FINAL";

    /** Empty for the rollups table, the child's id for rollups_by_child. */
    public String childId = "";
    /** The parent whose by-child breakdown this node's window also feeds (empty for a distributor). */
    public String parentLevel = "";
    public String parentId = "";
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
    /** A contribution's usage reached Kafka then (see RatedEvent#receivedAt); not written to Cassandra. */
    public long receivedAt;

    public RollupRow() {}

    public boolean byChild() {
        return childId != null && !childId.isEmpty();
    }

    public boolean hasParent() {
        return parentId != null && !parentId.isEmpty();
    }

    /** This node's window as a row of {@code parent}'s by-child breakdown (same window, meter, currency and values). */
    public RollupRow asChildOf(String parent) {
        RollupRow r = copy();
        r.level = parentLevel;
        r.nodeId = parent;
        r.childId = nodeId;
        r.parentLevel = "";
        r.parentId = "";
        return r;
    }

    /** The row's primary key: what the roll-up operator is keyed by. */
    public String key() {
        return level + '|' + nodeId + '|' + granularity + '|' + windowStart + '|' + childId + '|' + meterId + '|' + currency;
    }

    public RollupRow copy() {
        RollupRow r = new RollupRow();
        r.childId = childId;
        r.parentLevel = parentLevel;
        r.parentId = parentId;
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
        r.receivedAt = receivedAt;
        return r;
    }

    /** This row's identity with the values (counts and sums) of {@code values}. */
    public RollupRow copyWithValuesOf(RollupRow values) {
        RollupRow r = copy();
        r.eventCount = values.eventCount;
        r.quantity = values.quantity;
        r.amount = values.amount;
        r.partnerCommission = values.partnerCommission;
        r.distributorCommission = values.distributorCommission;
        r.adjustmentCount = values.adjustmentCount;
        r.adjustmentAmount = values.adjustmentAmount;
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

    /** Removes a part that {@link #add} added earlier (exact: every value is a sum). */
    public void subtract(RollupRow other) {
        eventCount -= other.eventCount;
        quantity = quantity.subtract(other.quantity);
        amount = amount.subtract(other.amount);
        partnerCommission = partnerCommission.subtract(other.partnerCommission);
        distributorCommission = distributorCommission.subtract(other.distributorCommission);
        adjustmentCount -= other.adjustmentCount;
        adjustmentAmount = adjustmentAmount.subtract(other.adjustmentAmount);
    }

    @Override
    public String toString() {
        return key() + " " + status + " n=" + eventCount + " q=" + quantity + " a=" + amount + " pc=" + partnerCommission
                + " dc=" + distributorCommission + " adj=" + adjustmentCount + "/" + adjustmentAmount + " ts=" + writeTimestamp;
    }
}
