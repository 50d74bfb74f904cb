package cms.api.hierarchy;

import cms.avro.CommissionPlan;
import cms.avro.PlanOwner;

import java.util.List;

/** A commission plan: its version in effect now (else the first) and every version, oldest first. */
public record Plan(String id, CommissionPlan current, List<CommissionPlan> versions) {
    public PlanOwner owner() {
        return current.getOwner();
    }

    public String ownerId() {
        return current.getOwnerId();
    }
}
