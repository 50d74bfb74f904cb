package cms.pipeline.model;

import cms.avro.NodeLevel;
import cms.cassandra.FamilyRollups;
import cms.rollup.Granularity;

import java.util.Objects;

/**
 * The identity of one roll-up row in the roll-up operator's state: a member (child) of a family, one
 * window, one meter, one currency. Families as in {@link FamilyRollups}: a tenant's subscriptions, a
 * partner's tenants, a distributor's partners and its own row (child ""). Levels and granularities
 * are kept as ordinals, ids as the strings the events carry. A Flink POJO, a state key: value equality.
 */
public class FamilySlot {
    private static final NodeLevel[] LEVELS = NodeLevel.values();
    private static final Granularity[] GRANULARITIES = Granularity.values();

    /** The family head's level (NodeLevel ordinal). */
    public int family;
    public String head;
    public String child;
    /** Granularity ordinal. */
    public int granularity;
    public long windowStart;
    public String meterId;
    public String currency;

    public FamilySlot() {}

    public FamilySlot(NodeLevel family, String head, String child, Granularity granularity, long windowStart, String meterId, String currency) {
        this.family = family.ordinal();
        this.head = head;
        this.child = child;
        this.granularity = granularity.ordinal();
        this.windowStart = windowStart;
        this.meterId = meterId;
        this.currency = currency;
    }

    public NodeLevel familyLevel() {
        return LEVELS[family];
    }

    public Granularity granularityValue() {
        return GRANULARITIES[granularity];
    }

    /** The level of the node whose window this row is: the child's, or the distributor's own. */
    public NodeLevel rowLevel() {
        NodeLevel f = familyLevel();
        return switch (f) {
            case TENANT -> NodeLevel.SUBSCRIPTION;
            case PARTNER -> NodeLevel.TENANT;
            case DISTRIBUTOR -> FamilyRollups.OWN.equals(child) ? NodeLevel.DISTRIBUTOR : NodeLevel.PARTNER;
            case SUBSCRIPTION -> throw new IllegalStateException("a subscription heads no family");
        };
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        return o instanceof FamilySlot s && family == s.family && granularity == s.granularity && windowStart == s.windowStart
                && head.equals(s.head) && child.equals(s.child) && meterId.equals(s.meterId) && currency.equals(s.currency);
    }

    @Override
    public int hashCode() {
        int h = Objects.hash(head, child, meterId, currency);
        return 31 * (31 * h + family * 3 + granularity) + Long.hashCode(windowStart);
    }

    @Override
    public String toString() {
        return familyLevel() + "|" + head + "|" + child + "|" + granularityValue() + "|" + windowStart + "|" + meterId + "|" + currency;
    }
}
