package cms.pipeline.model;

import java.math.BigDecimal;

/**
 * One row of family_rollups (cql/V002__family_rollups.cql) as the roll-up operator emits it and the
 * sink writes it: the family's partition (level, node, bucket), the row's clustering key, its absolute
 * values and its write timestamp. A Flink POJO (FINAL rows are checkpointed as committables).
 */
public class FamilyRow {
    public static final String OPEN = "OPEN";
    public static final String FINAL = "FINAL";

    public String level;
    public String nodeId;
    public String bucket;
    public String granularity;
    public String childId;
    public long windowStart;
    public String meterId;
    public String currency;
    /** The distributor whose key wrote this part. */
    public String via;
    public long windowEnd;
    public String status;
    public long eventCount;
    public BigDecimal quantity = BigDecimal.ZERO;
    public BigDecimal amount = BigDecimal.ZERO;
    public BigDecimal partnerCommission = BigDecimal.ZERO;
    public BigDecimal distributorCommission = BigDecimal.ZERO;
    public long adjustmentCount;
    public BigDecimal adjustmentAmount = BigDecimal.ZERO;
    /** Cassandra write timestamp (USING TIMESTAMP): see FamilyRollupStatements (OPEN band below, FINAL band above 2^62). */
    public long writeTimestamp;

    public FamilyRow() {}

    public boolean isFinal() {
        return FINAL.equals(status);
    }

    @Override
    public String toString() {
        return level + "|" + nodeId + "|" + bucket + "|" + granularity + "|" + childId + "|" + windowStart + "|" + meterId + "|" + currency
                + "|" + via + " " + status + " n=" + eventCount + " q=" + quantity + " a=" + amount + " pc=" + partnerCommission
                + " dc=" + distributorCommission + " adj=" + adjustmentCount + "/" + adjustmentAmount + " ts=" + writeTimestamp;
    }
}
