package cms.pipeline.model;

import cms.avro.CommissionPlan;
import cms.avro.HierarchyChange;
import cms.avro.PriceBookVersion;
import cms.topics.VersionKeys;

/** One record of a reference-data topic: exactly one of the three fields is set. */
public class ReferenceUpdate {
    public HierarchyChange hierarchy;
    public PriceBookVersion priceBook;
    public CommissionPlan plan;

    public ReferenceUpdate() {}

    public static ReferenceUpdate of(HierarchyChange change) {
        ReferenceUpdate u = new ReferenceUpdate();
        u.hierarchy = change;
        return u;
    }

    public static ReferenceUpdate of(PriceBookVersion version) {
        ReferenceUpdate u = new ReferenceUpdate();
        u.priceBook = version;
        return u;
    }

    public static ReferenceUpdate of(CommissionPlan plan) {
        ReferenceUpdate u = new ReferenceUpdate();
        u.plan = plan;
        return u;
    }

    /** The version's key in broadcast state: the topic's own version key, prefixed by kind. */
    public String versionKey() {
        if (hierarchy != null) {
            return "H:" + VersionKeys.hierarchy(hierarchy);
        }
        if (priceBook != null) {
            return "P:" + VersionKeys.priceBook(priceBook);
        }
        if (plan != null) {
            return "C:" + VersionKeys.commissionPlan(plan);
        }
        throw new IllegalStateException("empty reference update");
    }

    @Override
    public String toString() {
        return versionKey();
    }
}
