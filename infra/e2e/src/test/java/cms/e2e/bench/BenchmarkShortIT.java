package cms.e2e.bench;

import cms.infra.bench.BenchSettings;
import cms.infra.bench.Benchmark;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The benchmark's short mode ({@code infra/bin/bench --short}) on the test suite's stack: the
 * packaged job and API started as processes, a small channel and backlog, every phase. Asserts that
 * it completed and that its figures are sane (measured, positive, every record accounted for), never
 * a speed target: the suite runs on shared machines. With a soak of one minute sampled every 20 s (about a
 * minute more), which must measure every sample, though not find it flat: a minute is no steady state.
 */
class BenchmarkShortIT {

    @Test
    void theShortBenchmarkCompletesWithSaneFigures() throws Exception {
        BenchSettings settings = BenchSettings.quick().withOut(Path.of("target", "bench-short"))
                .withSoak(Duration.ofMinutes(1), Duration.ofSeconds(20));
        Benchmark.Results r = Benchmark.run(settings, System.out);

        assertThat(r.notes).as("notes").noneMatch(n -> n.contains("failed") && n.contains("newest"));
        assertThat(r.backlogDrained).as("the backlog was drained").isTrue();
        assertThat(r.ceiling.records()).as("the ceiling read the whole backlog").isEqualTo(r.backlog);
        assertThat(r.ceiling.ratePerSecond()).isPositive();
        assertThat(r.throughputRecords).isPositive();
        assertThat(r.throughputRate).isPositive();
        assertThat(r.ceilingRatio()).isPositive();

        assertThat(r.liveActualRate).isPositive();
        assertThat(r.probeLatency.count()).as("event-to-queryable latencies measured").isPositive();
        assertThat(r.probeLatency.percentile(50)).isPositive();
        assertThat(r.probeLatency.percentile(99)).isGreaterThanOrEqualTo(r.probeLatency.percentile(50));
        assertThat(r.apiAll.count()).as("API latencies measured").isPositive();
        assertThat(r.apiAll.failures()).as("API queries that failed").isZero();
        assertThat(r.apiAll.percentile(99)).isGreaterThanOrEqualTo(r.apiAll.percentile(50)).isPositive();

        assertThat(r.soak.samples()).as("soak samples at 0, 20, 40 and 60 s").hasSize(4);
        assertThat(r.soak.samples()).allSatisfy(x -> {
            assertThat(x.heapAfterGcMb()).as("heap after GC").isPositive().isLessThan(1024);
            assertThat(x.checkpointMb()).as("latest checkpoint").isPositive();
            assertThat(x.checkpointMs()).isNotNegative();
            assertThat(x.lag()).isNotNegative();
        });
        assertThat(r.soak.samples().subList(1, 4)).allSatisfy(x -> assertThat(x.rate()).as("committed rate").isPositive());
        assertThat(r.soak.heapDrift()).isNotNegative().isFinite();
        assertThat(r.soak.checkpointDrift()).isNotNegative().isFinite();
        assertThat(r.notes).as("notes").noneMatch(n -> n.startsWith("soak") || n.startsWith("jcmd"));
        assertThat(Files.readString(r.resultsFile.resolveSibling("results.json"))).contains("\"soak\"", "\"heap_after_gc_mb\"", "\"heap_drift\"");

        if (settings.injectFailure()) {
            assertThat(r.failureInjected).as("a task failure was injected").isTrue();
            assertThat(r.secondsToRunning).as("seconds until the job ran again").isPositive().isFinite();
            assertThat(r.secondsToDrained).as("seconds until the lag was drained").isGreaterThanOrEqualTo(r.secondsToRunning).isFinite();
        }

        assertThat(r.produced).as("records sent: the backlog, then the live load and the probes").isGreaterThan(r.backlog + r.probesSent);
        assertThat(r.rated).as("rated").isEqualTo(r.expectedRated);
        assertThat(r.deadLettered).as("dead-lettered").isEqualTo(r.expectedDeadLetters);
        assertThat(r.rated + r.deadLettered + r.duplicates).as("every record sent is rated, dead-lettered or a duplicate")
                .isEqualTo(r.produced);
        assertThat(r.resultsFile).exists();
    }
}
