package cms.api.admin;

import cms.avro.NodeStatus;

import java.time.Instant;
import java.util.Map;

/** The PUT bodies of the four node kinds; unknown fields are refused (400). */
public final class NodeBodies {
    public record Distributor(String name, NodeStatus status, Instant effectiveFrom, Map<String, String> attributes) {}

    public record Partner(String name, NodeStatus status, Instant effectiveFrom, String distributorId,
                          Map<String, String> attributes) {}

    public record Tenant(String name, NodeStatus status, Instant effectiveFrom, String partnerId,
                         Map<String, String> attributes) {}

    public record Subscription(String name, NodeStatus status, Instant effectiveFrom, String tenantId, String priceBookId,
                               Map<String, String> attributes) {}

    /** A plan assignment: {"planId": "gold"} or {"inherit": true}, effective from a time. */
    public record PlanAssignment(String planId, Boolean inherit, Instant effectiveFrom) {}

    private NodeBodies() {}
}
