package cms.pipeline.hierarchy;

import cms.avro.NodeLevel;
import cms.avro.NodeStatus;
import cms.avro.PlanOwner;
import cms.pipeline.model.ReferenceUpdate;
import org.junit.jupiter.api.Test;

import static cms.pipeline.Fixtures.at;
import static cms.pipeline.Fixtures.chain;
import static cms.pipeline.Fixtures.flat;
import static cms.pipeline.Fixtures.node;
import static cms.pipeline.Fixtures.plan;
import static org.assertj.core.api.Assertions.assertThat;

class ReferenceIndexTest {
    private static long t(String iso) {
        return at(iso).toEpochMilli();
    }

    @Test
    void lineageIsTheOneInEffectAtEventTime() {
        ReferenceIndex index = new ReferenceIndex();
        chain("d1", "p1", "t1", "s1", "book").forEach(index::add);
        index.add(ReferenceUpdate.of(node(NodeLevel.PARTNER, "p2", "d1", "2026-01-01T00:00:00Z")));
        // t1 moves to p2 on the 15th
        index.add(ReferenceUpdate.of(node(NodeLevel.TENANT, "t1", "p2", "2026-01-15T00:00:00Z")));

        assertThat(index.resolve("s1", t("2026-01-14T23:59:59.999Z")).partner().getId()).isEqualTo("p1");
        assertThat(index.resolve("s1", t("2026-01-15T00:00:00Z")).partner().getId()).isEqualTo("p2");
        assertThat(index.resolve("s1", t("2025-12-31T23:59:59Z")).kind()).isEqualTo(ReferenceIndex.Resolution.Kind.MISSING);
        assertThat(index.resolve("nope", t("2026-01-20T00:00:00Z")).kind()).isEqualTo(ReferenceIndex.Resolution.Kind.MISSING);
    }

    @Test
    void suspendedOrDeletedNodesMakeTheSubscriptionInactive() {
        ReferenceIndex index = new ReferenceIndex();
        chain("d1", "p1", "t1", "s1", "book").forEach(index::add);
        index.add(ReferenceUpdate.of(node(NodeLevel.SUBSCRIPTION, "s1", "t1", "2026-01-20T00:00:00Z", NodeStatus.SUSPENDED, "book", null)));
        index.add(ReferenceUpdate.of(node(NodeLevel.TENANT, "t1", "p1", "2026-02-01T00:00:00Z", NodeStatus.DELETED, null, null)));
        assertThat(index.resolve("s1", t("2026-01-19T00:00:00Z")).kind()).isEqualTo(ReferenceIndex.Resolution.Kind.OK);
        assertThat(index.resolve("s1", t("2026-01-20T00:00:00Z")).kind()).isEqualTo(ReferenceIndex.Resolution.Kind.INACTIVE);
        assertThat(index.resolve("s1", t("2026-01-20T00:00:00Z")).detail()).contains("SUSPENDED");
    }

    @Test
    void partnerShareInheritsPartnerThenDistributorThenDefault() {
        ReferenceIndex index = new ReferenceIndex();
        index.add(ReferenceUpdate.of(plan("default", PlanOwner.PLATFORM, null, "2026-01-01T00:00:00Z", flat("0.05"), flat("0.02"))));
        index.add(ReferenceUpdate.of(plan("dplan", PlanOwner.DISTRIBUTOR, "d1", "2026-01-01T00:00:00Z", flat("0.07"), flat("0.03"))));
        index.add(ReferenceUpdate.of(plan("pplan", PlanOwner.PARTNER, "p1", "2026-01-01T00:00:00Z", flat("0.09"), null)));
        index.add(ReferenceUpdate.of(plan("pnull", PlanOwner.PARTNER, "p1", "2026-01-01T00:00:00Z", null, null)));
        long when = t("2026-01-10T00:00:00Z");

        var d = node(NodeLevel.DISTRIBUTOR, "d1", null, "2026-01-01T00:00:00Z", NodeStatus.ACTIVE, null, "dplan");
        var dInherit = node(NodeLevel.DISTRIBUTOR, "d1", null, "2026-01-01T00:00:00Z");
        var pOwn = node(NodeLevel.PARTNER, "p1", "d1", "2026-01-01T00:00:00Z", NodeStatus.ACTIVE, null, "pplan");
        var pNull = node(NodeLevel.PARTNER, "p1", "d1", "2026-01-01T00:00:00Z", NodeStatus.ACTIVE, null, "pnull");
        var pInherit = node(NodeLevel.PARTNER, "p1", "d1", "2026-01-01T00:00:00Z");

        assertThat(index.partnerShare(pOwn, d, when).planId()).isEqualTo("pplan");
        assertThat(index.partnerShare(pNull, d, when).planId()).isEqualTo("dplan");       // a null share defers
        assertThat(index.partnerShare(pInherit, d, when).planId()).isEqualTo("dplan");
        assertThat(index.partnerShare(pInherit, dInherit, when).planId()).isEqualTo("default");
        assertThat(index.distributorShare(d, when).planId()).isEqualTo("dplan");
        assertThat(index.distributorShare(dInherit, when).planId()).isEqualTo("default");
        // before any plan version is effective there is no share
        assertThat(index.partnerShare(pInherit, dInherit, t("2025-12-01T00:00:00Z"))).isNull();
    }

    @Test
    void aLaterRecordingOfTheSameVersionReplacesIt() {
        ReferenceIndex index = new ReferenceIndex();
        var first = node(NodeLevel.DISTRIBUTOR, "d1", null, "2026-01-01T00:00:00Z");
        var second = node(NodeLevel.DISTRIBUTOR, "d1", null, "2026-01-01T00:00:00Z", NodeStatus.SUSPENDED, null, null);
        second.setRecordedAt(first.getRecordedAt().plusSeconds(1));
        index.add(ReferenceUpdate.of(second));
        index.add(ReferenceUpdate.of(first));   // older recording arrives late: ignored
        assertThat(index.nodeAt(NodeLevel.DISTRIBUTOR, "d1", t("2026-01-02T00:00:00Z")).getStatus()).isEqualTo(NodeStatus.SUSPENDED);
        assertThat(index.size()).isEqualTo(1);
    }
}
