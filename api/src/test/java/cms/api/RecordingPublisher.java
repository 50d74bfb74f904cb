package cms.api;

import cms.api.hierarchy.HierarchyModel;
import cms.api.hierarchy.ReferencePublisher;
import cms.avro.CommissionPlan;
import cms.avro.HierarchyChange;
import cms.avro.PriceBookVersion;
import org.apache.avro.specific.SpecificRecord;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * For resource tests: "durable" means recorded in a list; the version then enters the read model,
 * as KafkaReferencePublisher does after the broker's acknowledgement. The *IT tests use the real one.
 */
public final class RecordingPublisher implements ReferencePublisher {
    private final HierarchyModel model;
    public final List<SpecificRecord> published = new CopyOnWriteArrayList<>();

    public RecordingPublisher(HierarchyModel model) {
        this.model = model;
    }

    @Override
    public void publish(HierarchyChange change) {
        published.add(change);
        model.apply(change);
    }

    @Override
    public void publish(PriceBookVersion version) {
        published.add(version);
        model.apply(version);
    }

    @Override
    public void publish(CommissionPlan plan) {
        published.add(plan);
        model.apply(plan);
    }
}
