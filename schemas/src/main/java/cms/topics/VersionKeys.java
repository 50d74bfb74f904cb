package cms.topics;

import cms.avro.AuditRecord;
import cms.avro.CommissionPlan;
import cms.avro.HierarchyChange;
import cms.avro.PriceBookVersion;
import cms.avro.UserVersion;

import java.time.Instant;

/**
 * Keys of the reference-data topics: one per effective-dated version, so compaction keeps every
 * version and a re-sent version replaces itself.
 */
public final class VersionKeys {
    public static String hierarchy(HierarchyChange change) {
        return change.getLevel() + "/" + change.getId() + "@" + millis(change.getEffectiveFrom());
    }

    public static String priceBook(PriceBookVersion version) {
        return version.getPriceBookId() + "@" + millis(version.getEffectiveFrom());
    }

    public static String commissionPlan(CommissionPlan plan) {
        return plan.getPlanId() + "@" + millis(plan.getEffectiveFrom());
    }

    public static String user(UserVersion user) {
        return user.getUserId() + "@" + millis(user.getEffectiveFrom());
    }

    /** Every audit record is its own key: compaction never drops one. */
    public static String audit(AuditRecord record) {
        return record.getAuditId();
    }

    private static long millis(Instant instant) {
        return instant.toEpochMilli();
    }

    private VersionKeys() {}
}
