package cms.api.hierarchy;

import cms.avro.NodeLevel;

import java.util.List;

/**
 * Every parent and child a node has had in any version of the reference data: where the pipeline may
 * have booked its usage (a node booked under two parents within a window has a part under each).
 */
public interface Lineage {
    /** Every parent any version of the node named, sorted; empty for a distributor or an unknown node. */
    List<String> parentsEver(NodeLevel level, String id);

    /** Every node any version put under this node, sorted. */
    List<String> childrenEver(NodeLevel level, String id);
}
