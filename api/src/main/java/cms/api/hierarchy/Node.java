package cms.api.hierarchy;

import cms.avro.HierarchyChange;

import java.util.List;

/**
 * A distributor, partner, tenant or subscription as the read model holds it: the version in effect
 * now (or, before the first one takes effect, the first one) and every version, oldest first.
 * The Avro records are shared, never modified.
 */
public record Node(NodeKind kind, String id, HierarchyChange current, List<HierarchyChange> versions) {
    public String parentId() {
        return current.getParentId();
    }

    public NodeKind parentKind() {
        return kind.parent();
    }
}
