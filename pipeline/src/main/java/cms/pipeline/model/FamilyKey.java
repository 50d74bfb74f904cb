package cms.pipeline.model;

import cms.avro.NodeLevel;
import cms.cassandra.FamilyRollups;

/**
 * One part of a roll-up family in the roll-up operator's state: the rows of one level under one head (a tenant's
 * subscription rows, a partner's tenant rows, a distributor's partner rows, or a distributor's own row). A family
 * partition in Cassandra holds one part, or two for a distributor (its partners' rows and its own, which are
 * refreshed at different intervals and so kept apart here). Immutable, a state key: value equality.
 */
public final class FamilyKey {
    private static final NodeLevel[] LEVELS = NodeLevel.values();

    /** The level of the rows (NodeLevel ordinal): SUBSCRIPTION, TENANT, PARTNER, or DISTRIBUTOR for a distributor's own. */
    public final int rowLevel;
    /** The family head: the rows' parent, or the distributor itself for its own row. */
    public final String head;
    private final int hash;

    public FamilyKey(NodeLevel rowLevel, String head) {
        this(rowLevel.ordinal(), head);
    }

    FamilyKey(int rowLevel, String head) {
        if (rowLevel < 0 || rowLevel >= LEVELS.length) {
            throw new IllegalArgumentException("no such level: " + rowLevel);
        }
        this.rowLevel = rowLevel;
        this.head = head;
        this.hash = 31 * head.hashCode() + rowLevel;
    }

    public NodeLevel rowLevel() {
        return LEVELS[rowLevel];
    }

    /** The level of the family (and its Cassandra partition) the rows belong to. */
    public NodeLevel familyLevel() {
        return switch (rowLevel()) {
            case SUBSCRIPTION -> NodeLevel.TENANT;
            case TENANT -> NodeLevel.PARTNER;
            case PARTNER, DISTRIBUTOR -> NodeLevel.DISTRIBUTOR;
        };
    }

    /** A distributor's own row: its child id is {@link FamilyRollups#OWN}. */
    public boolean own() {
        return rowLevel() == NodeLevel.DISTRIBUTOR;
    }

    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof FamilyKey k && rowLevel == k.rowLevel && head.equals(k.head);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return rowLevel() + "<" + head;
    }
}
