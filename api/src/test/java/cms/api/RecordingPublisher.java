package cms.api;

import cms.api.audit.AuditContext;
import cms.api.audit.AuditLog;
import cms.api.audit.AuditRecords;
import cms.api.hierarchy.HierarchyModel;
import cms.api.hierarchy.ReferencePublisher;
import cms.avro.CommissionPlan;
import cms.avro.HierarchyChange;
import cms.avro.PriceBookVersion;
import cms.avro.UserVersion;
import cms.topics.Topics;
import cms.topics.VersionKeys;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * For resource tests: "durable" means recorded in a list; the version then enters the read model,
 * as KafkaReferencePublisher does after the broker's acknowledgement, and its audit record enters
 * the audit log. The *IT tests use the real one.
 */
public final class RecordingPublisher implements ReferencePublisher {
    private final HierarchyModel model;
    private final AuditLog audit;
    public final List<SpecificRecord> published = new CopyOnWriteArrayList<>();

    public RecordingPublisher(HierarchyModel model, AuditLog audit) {
        this.model = model;
        this.audit = audit;
    }

    private void audit(String topic, String key, SpecificRecord value) {
        AuditContext.current().ifPresent(r -> audit.apply(AuditRecords.of(r, Instant.now(), topic, key, value)));
    }

    @Override
    public void publish(UserVersion user) {
        published.add(user);
        model.apply(user);
        audit(Topics.USERS, VersionKeys.user(user), user);
    }

    @Override
    public void publish(HierarchyChange change) {
        published.add(change);
        model.apply(change);
        audit(Topics.HIERARCHY, VersionKeys.hierarchy(change), change);
    }

    @Override
    public void publish(PriceBookVersion version) {
        published.add(version);
        model.apply(version);
        audit(Topics.PRICE_BOOKS, VersionKeys.priceBook(version), version);
    }

    @Override
    public void publish(CommissionPlan plan) {
        published.add(plan);
        model.apply(plan);
        audit(Topics.COMMISSION_PLANS, VersionKeys.commissionPlan(plan), plan);
    }
}
