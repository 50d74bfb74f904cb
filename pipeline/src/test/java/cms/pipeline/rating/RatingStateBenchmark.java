package cms.pipeline.rating;

import cms.avro.PlanOwner;
import cms.avro.PricingModel;
import cms.avro.UsageEvent;
import cms.pipeline.model.IdKeySerializer;
import cms.pipeline.model.Keys;
import cms.pipeline.model.PipelineState;
import cms.pipeline.model.RatedEvent;
import cms.pipeline.model.ReferenceUpdate;
import cms.pipeline.model.ValidUsage;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;

import static cms.pipeline.Fixtures.book;
import static cms.pipeline.Fixtures.chain;
import static cms.pipeline.Fixtures.flat;
import static cms.pipeline.Fixtures.plan;
import static cms.pipeline.Fixtures.rate;
import static cms.pipeline.Fixtures.tier;
import static cms.pipeline.Fixtures.valid;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rating operator alone (de-duplication, lineage, rating, the lateness decision) on the benchmark's channel:
 * 100,000 subscriptions (100 x 10 x 10 x 10), 4 meters with tiers, unique eventIds arriving over two hours, 1% of
 * them repeats; Flink's keyed broadcast test harness on the heap backend with the job's key type. Prints the task
 * thread's CPU time and allocation per event and a checkpoint's size and CPU time, as {@code RollupStateBenchmark}
 * does for the roll-ups. Not part of the suite: run it with
 * {@code mvn -pl pipeline test -Dtest=RatingStateBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 * ({@code -Dcms.bench.events=N}, default 600,000).
 */
class RatingStateBenchmark {
    private static final int EVENTS = Integer.getInteger("cms.bench.events", 600_000);
    private static final int SUBSCRIPTIONS = 100_000;
    private static final String[] METERS = {"compute.vcpu.hours", "storage.gb.hours", "network.egress.gb", "licence.seat.days"};

    @Test
    void perEventCostAndCheckpoint() throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        // the reference data as the job has it: read at start-up from a snapshot, not kept in broadcast state
        List<ReferenceUpdate> reference = new java.util.ArrayList<>();
        cms.avro.Rate[] rates = new cms.avro.Rate[METERS.length];
        for (int m = 0; m < METERS.length; m++) {
            rates[m] = rate(METERS[m], null, PricingModel.GRADUATED, "0", tier("1000", "0.10"), tier(null, "0.05"));
        }
        reference.add(ReferenceUpdate.of(book("b1", "EUR", "2026-01-01T00:00:00Z", rates)));
        reference.add(ReferenceUpdate.of(plan("default", PlanOwner.PLATFORM, null, "2026-01-01T00:00:00Z", flat("0.10"), flat("0.05"))));
        for (int s = 0; s < SUBSCRIPTIONS; s++) {
            int t = s / 10;
            int p = t / 10;
            reference.addAll(chain("bench-d" + p / 10, "bench-p" + p, "bench-t" + t, "bench-s" + s, "b1"));
        }
        RatingFunction f = new RatingFunction(Duration.ofSeconds(30), Duration.ofHours(1), Duration.ofDays(35), Duration.ofHours(24),
                Duration.ofHours(1), (cms.pipeline.hierarchy.ReferenceSnapshot) () -> reference);
        try (var h = new KeyedBroadcastOperatorTestHarness<>(new CoBroadcastWithKeyedOperator<>(f, List.of(PipelineState.referenceData())),
                new Keys.Subscription(), IdKeySerializer.TYPE, 1, 1, 0)) {
            java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("rating-bench-");
            h.setCheckpointStorage(new org.apache.flink.runtime.state.storage.FileSystemCheckpointStorage(dir.toUri()));
            h.open();
            h.processBroadcastWatermark(Long.MAX_VALUE);
            h.setProcessingTime(0);
            long t0 = Instant.parse("2026-01-10T10:00:00Z").toEpochMilli();
            Random random = new Random(20261202L);
            int warm = Math.min(100_000, EVENTS / 4);
            run(h, events(random, warm, t0, 0));
            ValidUsage[] measured = events(random, EVENTS, t0, warm);
            long cpu0 = threads.getThreadCpuTime(thread);
            long alloc0 = threads.getThreadAllocatedBytes(thread);
            long rated = run(h, measured);
            long cpu = threads.getThreadCpuTime(thread) - cpu0;
            long alloc = threads.getThreadAllocatedBytes(thread) - alloc0;
            long scpu0 = threads.getThreadCpuTime(thread);
            long s0 = System.nanoTime();
            OperatorSubtaskState snapshot = h.snapshot(1, 1);
            long snapshotWall = System.nanoTime() - s0;
            long snapshotCpu = threads.getThreadCpuTime(thread) - scpu0;
            System.out.printf("%nRatingStateBenchmark: %,d events (after %,d of warm-up), %,d subscriptions, heap state%n", EVENTS, warm, SUBSCRIPTIONS);
            System.out.printf("  task thread CPU per event      %,.2f us%n", cpu / 1000.0 / EVENTS);
            System.out.printf("  allocated per event            %,d bytes%n", alloc / EVENTS);
            System.out.printf("  rated                          %,d%n", rated);
            System.out.printf("  checkpoint                     %,.1f MB, %,d ms wall, %,d ms CPU on this thread%n",
                    snapshot.getStateSize() / 1e6, snapshotWall / 1_000_000, snapshotCpu / 1_000_000);
            System.out.printf("  heap in use (after System.gc)  %,d MB%n", heapAfterGc() / 1_000_000);
            assertThat(rated).isBetween(EVENTS * 97L / 100, EVENTS * 995L / 1000);
        }
    }

    private static long run(KeyedBroadcastOperatorTestHarness<String, ValidUsage, ReferenceUpdate, RatedEvent> h, ValidUsage[] events)
            throws Exception {
        long rated = 0;
        for (int i = 0; i < events.length; i++) {
            ValidUsage u = events[i];
            events[i] = null;
            h.processElement(u, u.event.getEventTime().toEpochMilli());
            if (i % 1000 == 999) {
                rated += h.getOutput().size();
                h.getOutput().clear();
            }
        }
        rated += h.getOutput().size();
        h.getOutput().clear();
        return rated;
    }

    /** Events with fresh strings, as the decoder makes them; 1% repeat the id before them (duplicates). */
    private static ValidUsage[] events(Random random, int n, long t0, int firstId) {
        ValidUsage[] events = new ValidUsage[n];
        int previous = 0;
        for (int i = 0; i < n; i++) {
            boolean repeat = random.nextInt(100) == 0 && i > 0;
            int sub = repeat ? previous : random.nextInt(SUBSCRIPTIONS);
            previous = sub;
            long arrival = t0 + (long) (firstId + i) * 7_200_000L / (EVENTS + EVENTS / 4);
            long time = arrival - random.nextInt(60_000);
            String id = "e-" + (repeat ? firstId + i - 1 : firstId + i);
            UsageEvent e = UsageEvent.newBuilder().setEventId(id).setSubscriptionId("bench-s" + sub).setMeterId(new String(METERS[random.nextInt(4)]))
                    .setQuantity(BigDecimal.valueOf(1 + random.nextInt(500_000), 3).setScale(9)).setEventTime(Instant.ofEpochMilli(time))
                    .setRegion(null).setResourceId(null).setAttributes(java.util.Map.of()).build();
            events[i] = valid(e, arrival);
        }
        return events;
    }

    private static long heapAfterGc() {
        System.gc();
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }
}
