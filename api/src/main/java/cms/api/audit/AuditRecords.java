package cms.api.audit;

import cms.avro.AuditRecord;
import cms.avro.CommissionPlan;
import cms.avro.HierarchyChange;
import cms.avro.NodeLevel;
import cms.avro.PlanOwner;
import cms.avro.UserVersion;
import org.apache.avro.specific.SpecificRecord;

import java.time.Instant;
import java.util.UUID;

/** The audit record of one version a request made, and the node it concerns (which decides who reads it). */
public final class AuditRecords {
    public static AuditRecord of(AuditContext.Request request, Instant at, String topic, String versionKey, SpecificRecord version) {
        NodeLevel level = null;
        String nodeId = null;
        if (version instanceof HierarchyChange c) {
            level = c.getLevel();
            nodeId = c.getId();
        } else if (version instanceof UserVersion u) {
            level = u.getLevel();
            nodeId = u.getOrgId();
        } else if (version instanceof CommissionPlan p && p.getOwner() != PlanOwner.PLATFORM) {
            level = p.getOwner() == PlanOwner.DISTRIBUTOR ? NodeLevel.DISTRIBUTOR : NodeLevel.PARTNER;
            nodeId = p.getOwnerId();
        } // price books and the platform's plans concern the platform
        return AuditRecord.newBuilder()
                // time first, so ids sort as the records were made; the UUID makes two in one millisecond distinct
                .setAuditId(String.format("%013d-%s", at.toEpochMilli(), UUID.randomUUID()))
                .setAt(at)
                .setUserId(request.caller().user())
                .setMethod(request.method())
                .setPath(request.path())
                .setBody(request.body())
                .setBodyTruncated(request.bodyTruncated())
                .setTopic(topic)
                .setVersionKey(versionKey)
                .setLevel(level)
                .setNodeId(nodeId)
                .build();
    }

    private AuditRecords() {}
}
