package cms.api.hierarchy;

import cms.api.Seed;
import cms.avro.HierarchyChange;
import cms.avro.NodeLevel;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

class HierarchyModelTest {
    private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
    private final HierarchyModel model = new HierarchyModel(Clock.fixed(NOW, ZoneOffset.UTC));

    private static HierarchyChange tenant(String parent, String from, String recorded) {
        return HierarchyChange.newBuilder(Seed.node(NodeLevel.TENANT, "t", parent, null))
                .setEffectiveFrom(Instant.parse(from)).setRecordedAt(Instant.parse(recorded)).build();
    }

    @Test
    void theCurrentVersionIsTheOneInEffectNowAndChildrenFollowIt() {
        model.apply(tenant("p1", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"));
        model.apply(tenant("p2", "2026-05-01T00:00:00Z", "2026-01-02T00:00:00Z"));
        model.apply(tenant("p3", "2026-09-01T00:00:00Z", "2026-01-03T00:00:00Z"));
        Node t = model.node(NodeKind.TENANT, "t").orElseThrow();
        assertThat(t.parentId()).isEqualTo("p2");
        assertThat(t.versions()).hasSize(3);
        assertThat(model.children(NodeKind.PARTNER, "p2")).extracting(Node::id).containsExactly("t");
        assertThat(model.children(NodeKind.PARTNER, "p1")).isEmpty();
        assertThat(model.children(NodeKind.PARTNER, "p3")).isEmpty();
    }

    @Test
    void beforeItsFirstVersionTakesEffectANodeShowsThatVersion() {
        model.apply(tenant("p9", "2027-01-01T00:00:00Z", "2026-01-01T00:00:00Z"));
        assertThat(model.node(NodeKind.TENANT, "t").orElseThrow().parentId()).isEqualTo("p9");
    }

    @Test
    void aVersionIsReplacedOnlyByOneRecordedNoEarlier() {
        model.apply(tenant("p1", "2026-01-01T00:00:00Z", "2026-01-05T00:00:00Z"));
        model.apply(tenant("p2", "2026-01-01T00:00:00Z", "2026-01-04T00:00:00Z")); // older write arriving late
        assertThat(model.node(NodeKind.TENANT, "t").orElseThrow().parentId()).isEqualTo("p1");
        model.apply(tenant("p3", "2026-01-01T00:00:00Z", "2026-01-06T00:00:00Z"));
        Node t = model.node(NodeKind.TENANT, "t").orElseThrow();
        assertThat(t.parentId()).isEqualTo("p3");
        assertThat(t.versions()).hasSize(1);
    }
}
