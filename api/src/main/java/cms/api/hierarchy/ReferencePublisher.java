package cms.api.hierarchy;

import cms.avro.CommissionPlan;
import cms.avro.HierarchyChange;
import cms.avro.PriceBookVersion;

/**
 * Makes a reference-data version durable where the pipeline reads it, and then visible in the
 * API's read model. Returns only once both are true; throws when the version could not be made
 * durable (the read model is then unchanged).
 */
public interface ReferencePublisher {
    void publish(HierarchyChange change);

    void publish(PriceBookVersion version);

    void publish(CommissionPlan plan);
}
