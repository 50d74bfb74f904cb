package cms.hierarchy;

import cms.avro.NodeLevel;

/** The channel's levels: which level a node's parent is on. One place for the API and the pipeline. */
public final class Levels {
    /** The level of the parent of a node on {@code level}; null for a distributor, which has none. */
    public static NodeLevel parentOf(NodeLevel level) {
        return switch (level) {
            case SUBSCRIPTION -> NodeLevel.TENANT;
            case TENANT -> NodeLevel.PARTNER;
            case PARTNER -> NodeLevel.DISTRIBUTOR;
            case DISTRIBUTOR -> null;
        };
    }

    private Levels() {}
}
