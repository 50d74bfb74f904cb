package cms.api.hierarchy;

import cms.avro.CommissionPlan;
import cms.avro.HierarchyChange;
import cms.avro.PriceBookVersion;
import cms.avro.UserVersion;

/**
 * Makes a reference-data version durable where the pipeline reads it, and then visible in the
 * API's read model. Returns only once both are true; throws when the version could not be made
 * durable (the read model is then unchanged). A version made while serving a write request is
 * recorded in the audit trail with that request (see cms.api.audit.AuditContext), atomically with it.
 */
public interface ReferencePublisher {
    void publish(HierarchyChange change);

    void publish(PriceBookVersion version);

    void publish(CommissionPlan plan);

    void publish(UserVersion user);
}
