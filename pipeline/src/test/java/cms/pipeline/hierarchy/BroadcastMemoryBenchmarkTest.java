package cms.pipeline.hierarchy;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Keeps the memory harness from rotting: its loader builds a whole, resolvable channel. */
class BroadcastMemoryBenchmarkTest {
    @Test
    void loadsAResolvableChannel() {
        ReferenceIndex index = BroadcastMemoryBenchmark.load(1000);
        assertThat(index.size()).isEqualTo(1000 + 100 + 10 + 1);
        ReferenceIndex.Resolution r = index.resolve("sub-999", java.time.Instant.parse("2026-06-01T00:00:00Z").toEpochMilli());
        assertThat(r.kind()).isEqualTo(ReferenceIndex.Resolution.Kind.OK);
        assertThat(r.tenant().getId()).isEqualTo("tenant-99");
    }
}
