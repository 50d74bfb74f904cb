package cms.pipeline.model;

import cms.avro.NodeLevel;
import cms.hierarchy.Levels;
import cms.rollup.Granularity;

import java.math.BigDecimal;

/**
 * One row of the rollups or rollups_by_child table: a window of one node (and, by child, one child),
 * one meter, one currency. The same class carries one event's contribution (eventCount 1) into the
 * roll-up operator, its accumulated window, and the rows out of it.
 *
 * <p>A contribution names the node's parent (parentId; its level follows from the node's, see
 * {@link #parentLevelOf}): the same window is also the node's row in its parent's by-child breakdown,
 * so one accumulator ({@link RollupSums}) serves both.
 */
public class RollupRow {
    public static final String OPEN = "OPEN";
    public static final String FINAL = "FINAL";

    /** Empty for the rollups table, the child's id for rollups_by_child. */
    public String childId = "";
    /** A contribution's parent, whose by-child breakdown the node's window also feeds (empty for a distributor). */
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

    /** This node's window as a row of its parent's by-child breakdown (same window, meter, currency and values). */
    public RollupRow asChildOf(String parent) {
        RollupRow r = copy();
        r.level = parentLevelOf(level);
        r.nodeId = parent;
        r.childId = nodeId;
        r.parentId = "";
        return r;
    }

    /** The level whose by-child breakdown holds a node of {@code level}; empty for a distributor. */
    public static String parentLevelOf(String level) {
        NodeLevel parent = Levels.parentOf(NodeLevel.valueOf(level));
        return parent == null ? "" : parent.name();
    }

    /** The row's primary key: what the roll-up operator is keyed by. */
    public String key() {
        return level + '|' + nodeId + '|' + granularity + '|' + windowStart + '|' + childId + '|' + meterId + '|' + currency;
    }

    /**
     * The row a {@link #key()} names, without values or status: its identity, with the window's end and
     * bucket. Ids never hold '|' (the API admits [a-z0-9._-]); a meter may, and is what lies between the
     * fifth separator and the last. The key is rebuilt and compared, so an ambiguous one fails loudly.
     */
    public static RollupRow ofKey(String key) {
        String[] head = key.split("\\|", 6);
        int cut = head.length == 6 ? head[5].lastIndexOf('|') : -1;
        if (cut < 0) {
            throw new IllegalArgumentException("not a roll-up key: " + key);
        }
        RollupRow r = new RollupRow();
        r.level = head[0];
        r.nodeId = head[1];
        r.granularity = head[2];
        r.windowStart = Long.parseLong(head[3]);
        r.childId = head[4];
        r.meterId = head[5].substring(0, cut);
        r.currency = head[5].substring(cut + 1);
        Granularity g = Granularity.valueOf(r.granularity);
        r.windowEnd = g.end(r.windowStart);
        r.bucket = g.bucket(r.windowStart);
        if (!r.key().equals(key)) {
            throw new IllegalArgumentException("ambiguous roll-up key: " + key);
        }
        return r;
    }

    public RollupRow copy() {
        RollupRow r = new RollupRow();
        r.childId = childId;
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

    @Override
    public String toString() {
        return key() + " " + status + " n=" + eventCount + " q=" + quantity + " a=" + amount + " pc=" + partnerCommission
                + " dc=" + distributorCommission + " adj=" + adjustmentCount + "/" + adjustmentAmount + " ts=" + writeTimestamp;
    }
}
