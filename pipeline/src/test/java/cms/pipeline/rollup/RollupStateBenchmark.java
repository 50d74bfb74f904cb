package cms.pipeline.rollup;

import cms.avro.UsageEvent;
import cms.pipeline.model.FamilyRow;
import cms.pipeline.model.Keys;
import cms.pipeline.model.RatedEvent;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The roll-up operator alone, on the benchmark's channel (100,000 subscriptions: 100 distributors x 10 partners x 10
 * tenants x 10 subscriptions, 4 meters, usage over two event-time hours), in Flink's keyed test harness on the heap
 * backend: the task thread's CPU time and bytes allocated per event, rows emitted, and a checkpoint's size and the
 * time to take it (synchronous and asynchronous parts together, on this thread). CPU time of one thread and its
 * allocation are far less sensitive to other work on the machine than a throughput, so two builds can be compared on
 * a busy machine. Not part of the suite (its name does not end in Test): run it with
 * {@code mvn -pl pipeline test -Dtest=RollupStateBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 * ({@code -Dcms.bench.events=N}, default 600,000). It prints its figures and asserts only that the work was done.
 */
class RollupStateBenchmark {
    private static final int EVENTS = Integer.getInteger("cms.bench.events", 600_000);
    /** {@code -Dcms.bench.compression=true}: checkpoints compressed (Flink's execution.checkpointing.snapshot-compression). */
    private static final boolean COMPRESSION = Boolean.getBoolean("cms.bench.compression");
    private static final String[] METERS = {"compute.vcpu.hours", "storage.gb.hours", "network.egress.gb", "licence.seat.days"};

    @Test
    void perEventCostAndCheckpoint() throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        FamilyRollupFunction f = new FamilyRollupFunction(Duration.ofHours(1), Duration.ofSeconds(2), Duration.ofSeconds(30), 20_000, 2_000,
                Duration.ofSeconds(64));
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(f), new Keys.Distributor(), Types.STRING)) {
            // a checkpoint of this size goes to files, as in the job
            java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("rollup-bench-");
            h.setCheckpointStorage(new org.apache.flink.runtime.state.storage.FileSystemCheckpointStorage(dir.toUri()));
            h.getExecutionConfig().setUseSnapshotCompression(COMPRESSION);
            h.open();
            long t0 = Instant.parse("2026-01-10T10:00:00Z").toEpochMilli();
            long now = t0 + 3_600_000;
            h.setProcessingTime(now);
            Random random = new Random(20261202L);
            // warm-up: the JIT, the first families; every event built before it is measured
            int warm = Math.min(100_000, EVENTS / 4);
            long rows = run(h, events(random, warm, t0), now);
            now += warm;
            RatedEvent[] measured = events(random, EVENTS, t0);
            long cpu0 = threads.getThreadCpuTime(thread);
            long alloc0 = threads.getThreadAllocatedBytes(thread);
            rows = run(h, measured, now);
            long cpu = threads.getThreadCpuTime(thread) - cpu0;
            long alloc = threads.getThreadAllocatedBytes(thread) - alloc0;
            long s0 = System.nanoTime();
            long scpu0 = threads.getThreadCpuTime(thread);
            OperatorSubtaskState snapshot = h.snapshot(1, now + EVENTS);
            long snapshotCpu = threads.getThreadCpuTime(thread) - scpu0;
            long snapshotWall = System.nanoTime() - s0;
            System.out.printf("%nRollupStateBenchmark: %,d events (after %,d of warm-up), 100,000 subscriptions, heap state, snapshot compression %s%n", EVENTS, warm,
                    COMPRESSION ? "on" : "off");
            System.out.printf("  task thread CPU per event      %,.2f us%n", cpu / 1000.0 / EVENTS);
            System.out.printf("  allocated per event            %,d bytes%n", alloc / EVENTS);
            System.out.printf("  OPEN rows emitted per event    %.2f (refresh every 100 ms of processing time, 1 ms an event)%n", (double) rows / EVENTS);
            System.out.printf("  checkpoint                     %,.1f MB, %,d ms wall, %,d ms CPU on this thread%n",
                    snapshot.getStateSize() / 1e6, snapshotWall / 1_000_000, snapshotCpu / 1_000_000);
            System.out.printf("  heap in use (after System.gc)  %,d MB%n", heapAfterGc() / 1_000_000);
            assertThat(rows).isPositive();
            assertThat(snapshot.getStateSize()).isPositive();
        }
    }

    /** Sends {@code n} events, one a millisecond of processing time, firing refresh timers every 100 ms; answers the rows emitted. */
    private static long run(KeyedOneInputStreamOperatorTestHarness<String, RatedEvent, FamilyRow> h, RatedEvent[] events, long now)
            throws Exception {
        long rows = 0;
        for (int i = 0; i < events.length; i++) {
            RatedEvent e = events[i];
            events[i] = null;
            h.processElement(e, e.bookingTime);
            if (i % 100 == 99) {
                h.setProcessingTime(now + i);
                rows += h.getOutput().size();
                h.getOutput().clear();
            }
        }
        return rows;
    }

    private static final String[] TENANTS = ids("bench-t", 10_000);
    private static final String[] PARTNERS = ids("bench-p", 1_000);
    private static final String[] DISTRIBUTORS = ids("bench-d", 100);

    private static String[] ids(String prefix, int n) {
        String[] ids = new String[n];
        for (int i = 0; i < n; i++) {
            ids[i] = prefix + i;
        }
        return ids;
    }

    private static RatedEvent[] events(Random random, int n, long t0) {
        RatedEvent[] events = new RatedEvent[n];
        for (int i = 0; i < n; i++) {
            events[i] = new RatedEvent();
            fill(events[i], random, t0);
        }
        return events;
    }

    /** One event as the rating stage emits it: the ids of its lineage shared (reference data), its own ids fresh strings. */
    private static void fill(RatedEvent e, Random random, long t0) {
        int sub = random.nextInt(100_000);
        int tenant = sub / 10;
        int partner = tenant / 10;
        int distributor = partner / 10;
        long time = t0 + random.nextInt(7_200_000);
        e.event = UsageEvent.newBuilder().setEventId("e").setSubscriptionId("bench-s" + sub).setMeterId(METERS[random.nextInt(4)])
                .setQuantity(BigDecimal.valueOf(1 + random.nextInt(500_000), 3).setScale(9)).setEventTime(Instant.ofEpochMilli(time))
                .setRegion(null).setResourceId(null).setAttributes(java.util.Map.of()).build();
        e.tenantId = TENANTS[tenant];
        e.partnerId = PARTNERS[partner];
        e.distributorId = DISTRIBUTORS[distributor];
        e.currency = "EUR";
        e.amount = BigDecimal.valueOf(random.nextInt(1_000_000_000), 9);
        e.partnerCommission = e.amount.movePointLeft(1);
        e.distributorCommission = e.amount.movePointLeft(2);
        e.period = "2026-01";
        e.lateAdjustment = false;
        e.bookingTime = time;
        e.bookedPeriod = "2026-01";
        e.receivedAt = time;
    }

    private static long heapAfterGc() {
        System.gc();
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }
}
