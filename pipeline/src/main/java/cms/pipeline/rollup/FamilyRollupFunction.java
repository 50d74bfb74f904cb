package cms.pipeline.rollup;

import cms.avro.NodeLevel;
import cms.cassandra.FamilyRollups;
import cms.pipeline.model.PipelineState;
import cms.pipeline.model.FamilyRow;
import cms.pipeline.model.FamilySlot;
import cms.pipeline.model.RatedEvent;
import cms.pipeline.model.SlotSums;
import cms.rollup.Granularity;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Keyed by distributor (on the stream the distributor commission stage left keyed by distributor, so no
 * shuffle): every roll-up window of the distributor's subtree, kept per family as in
 * {@link FamilyRollups} (a tenant with its subscriptions, a partner with its tenants, the distributor
 * with its partners and its own row), HOUR, DAY and MONTH, by meter and currency: 12 rows touched per
 * event, all in this key's state.
 *
 * <p>While OPEN, a changed row is written within the refresh interval of its level (the write budget,
 * {@link WriteBudget}, stretches subscriptions' then tenants' rows first), or a tenth of how long its usage
 * waited in Kafka while the job is catching up, at most refresh-interval-max. Each family writes its rows of a
 * level at ticks of its own, one interval apart (a phase from the family head, on a grid of a quarter of the
 * refresh interval): every row of the family changed since its last tick is written at the next one, so a
 * family partition costs one mutation per interval however its usage is spread over it, and the families'
 * phases spread the writes over the interval. One processing-time timer per key and grid step writes every row
 * then due; the sink groups them by family partition into single-partition batches. When the watermark passes
 * a window's end plus the allowed lateness its rows are emitted FINAL once (the sink writes them after the
 * checkpoint) and dropped from state.
 *
 * <p>Write timestamps come from the row's event count and the task's restart count, as in V001
 * ({@link WriteOrder}): a restarted job never replaces a value a reader has seen
 * with an older one, and FINAL beats every OPEN. Each part is written by one key only (via = this key), so a
 * tenant or partner moved to another distributor within a window has one part per distributor.
 */
public final class FamilyRollupFunction extends KeyedProcessFunction<String, RatedEvent, FamilyRow> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(FamilyRollupFunction.class);
    private static final Granularity[] GRANULARITIES = Granularity.values();

    private final long latenessMillis;
    private final long refreshMillis;
    private final long maxRefreshMillis;
    private final long budgetMaxMillis;
    private final long writeBudgetRows;
    private final long writeBudgetMutations;
    private final long gridMillis;

    private transient MapState<FamilySlot, SlotSums> slots;
    /**
     * Per key, the rows changed and not yet written since this task started, by due time: a refresh touches the
     * rows due then, not every changed row of the distributor (with families on phases of their own a key has a
     * tick every grid step). A row written early (FINAL) or dropped stays listed until its due time and is
     * skipped then. Not checkpointed: after a restore a key's first refresh finds its changed rows by scanning
     * its state (keys in {@link #indexed} skip that).
     */
    private transient Map<String, TreeMap<Long, List<FamilySlot>>> changed;
    private transient Set<String> indexed;
    private transient WriteBudget budget;
    /** The family partitions (level and head) one refresh writes to: its mutations, for the budget. Reused. */
    private transient Set<String>[] partitionsWritten;
    private transient Counter afterFinal;
    private transient Map<NodeLevel, Histogram> freshness;
    private transient int attempt;
    private transient String lastBucket;
    private transient long bucketFrom;
    private transient long bucketTo;

    /**
     * @param writeBudgetRows rows per second for the whole job (shared evenly by the subtasks); 0: no limit
     * @param writeBudgetMutations mutations (family partitions written) per second for the whole job; 0: no limit
     * @param budgetMaxInterval the longest the budget stretches a level's refresh interval to
     */
    public FamilyRollupFunction(Duration allowedLateness, Duration refreshInterval, Duration maxRefreshInterval, long writeBudgetRows,
                                long writeBudgetMutations, Duration budgetMaxInterval) {
        this.latenessMillis = allowedLateness.toMillis();
        this.refreshMillis = refreshInterval.toMillis();
        this.gridMillis = Math.max(1, refreshMillis / 4);
        // on the grid, so that a family's ticks at the longest interval stay on it
        this.maxRefreshMillis = Math.max(refreshMillis, maxRefreshInterval.toMillis() / gridMillis * gridMillis);
        this.budgetMaxMillis = Math.max(refreshMillis, budgetMaxInterval.toMillis());
        this.writeBudgetRows = writeBudgetRows;
        this.writeBudgetMutations = writeBudgetMutations;
    }

    @Override
    public void open(OpenContext openContext) {
        slots = getRuntimeContext().getMapState(PipelineState.familySlots());
        changed = new HashMap<>();
        indexed = new HashSet<>();
        int parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        budget = new WriteBudget((double) writeBudgetRows / parallelism, (double) writeBudgetMutations / parallelism, refreshMillis,
                budgetMaxMillis);
        @SuppressWarnings("unchecked")
        Set<String>[] byFamily = new Set[NodeLevel.values().length];
        for (int i = 0; i < byFamily.length; i++) {
            byFamily[i] = new HashSet<>();
        }
        partitionsWritten = byFamily;
        attempt = getRuntimeContext().getTaskInfo().getAttemptNumber();
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        afterFinal = metrics.counter("contributionsAfterFinal");
        metrics.gauge("writeBudgetRowsPerSecond", (Gauge<Double>) budget::rate);
        metrics.gauge("writeBudgetUse", (Gauge<Double>) budget::use);
        double share = (double) writeBudgetRows / parallelism;
        metrics.gauge("writeBudgetRowsAllowed", (Gauge<Double>) () -> share);
        metrics.gauge("writeBudgetMutationsPerSecond", (Gauge<Double>) budget::mutationRate);
        double mutationShare = (double) writeBudgetMutations / parallelism;
        metrics.gauge("writeBudgetMutationsAllowed", (Gauge<Double>) () -> mutationShare);
        freshness = new EnumMap<>(NodeLevel.class);
        for (NodeLevel level : NodeLevel.values()) {
            MetricGroup byLevel = metrics.addGroup("level", level.name());
            freshness.put(level, byLevel.histogram("freshnessMillis", new DescriptiveStatisticsHistogram(1000)));
            byLevel.gauge("refreshIntervalMillis", (Gauge<Long>) () -> budget.interval(level));
        }
    }

    /**
     * When a row of a family changed at {@code now} by usage received at {@code receivedAt} is due: at the family's
     * next tick. Ticks are one interval apart: the level's interval, or while catching up a tenth of how long the
     * usage waited rounded up to the interval times a power of two, at most maxRefresh; offset by the family's
     * phase, a whole number of grid steps below the interval taken from {@code familySeed}. So every row of a
     * family changed between two ticks is due at the same one (one mutation a tick), never later than an interval
     * after it changed, and the families of a level are spread over the interval. maxRefresh and the intervals
     * are multiples of the grid.
     */
    static long dueAt(long now, long receivedAt, long intervalMillis, long maxRefreshMillis, long gridMillis, int familySeed) {
        long waited = Math.max(0, now - receivedAt);
        long catchUp = Math.min(maxRefreshMillis, waited / 10);
        long every = intervalMillis;
        while (every < catchUp) {
            every = Math.min(every * 2, Math.max(intervalMillis, maxRefreshMillis));
        }
        long phase = Math.floorMod(familySeed, Math.max(1, every / gridMillis)) * gridMillis;
        return Math.floorDiv(now - phase, every) * every + every + phase;
    }

    @Override
    public void processElement(RatedEvent e, Context ctx, Collector<FamilyRow> out) throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        long watermark = ctx.timerService().currentWatermark();
        String distributor = ctx.getCurrentKey();
        String meter = e.event.getMeterId();
        for (Granularity g : GRANULARITIES) {
            long start = g.start(e.bookingTime);
            long end = g.end(start);
            if (watermark >= end + latenessMillis) {
                // Cannot happen: the rating stage books every event into windows whose end + lateness is above its own
                // watermark when it emits the event, and this operator's watermark is never ahead of that.
                // Dropping beats rewriting a FINAL window; the counter makes it visible.
                afterFinal.inc();
                LOG.error("usage for an already FINAL {} window dropped: {}", g, e);
                continue;
            }
            add(new FamilySlot(NodeLevel.TENANT, e.tenantId, e.subscriptionId(), g, start, meter, e.currency), end, e, now, ctx);
            add(new FamilySlot(NodeLevel.PARTNER, e.partnerId, e.tenantId, g, start, meter, e.currency), end, e, now, ctx);
            add(new FamilySlot(NodeLevel.DISTRIBUTOR, distributor, e.partnerId, g, start, meter, e.currency), end, e, now, ctx);
            add(new FamilySlot(NodeLevel.DISTRIBUTOR, distributor, FamilyRollups.OWN, g, start, meter, e.currency), end, e, now, ctx);
        }
    }

    private void add(FamilySlot slot, long windowEnd, RatedEvent e, long now, Context ctx) throws Exception {
        SlotSums s = slots.get(slot);
        if (s == null) {
            s = new SlotSums(windowEnd);
            ctx.timerService().registerEventTimeTimer(windowEnd + latenessMillis);
        }
        s.add(e);
        if (!s.dirty) {
            s.dirty = true;
            s.oldestReceivedAt = e.receivedAt;
            s.dueAt = dueAt(now, e.receivedAt, budget.interval(slot.rowLevel()), maxRefreshMillis, gridMillis, slot.head.hashCode());
            ctx.timerService().registerProcessingTimeTimer(s.dueAt);
            changed.computeIfAbsent(ctx.getCurrentKey(), k -> new TreeMap<>()).computeIfAbsent(s.dueAt, t -> new ArrayList<>()).add(slot);
        }
        slots.put(slot, s);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<FamilyRow> out) throws Exception {
        String key = ctx.getCurrentKey();
        if (ctx.timeDomain() == TimeDomain.EVENT_TIME) {
            finalize(key, timestamp, out);
        } else {
            refresh(key, timestamp, out);
        }
    }

    /** Writes every changed row of the key that is due by {@code now}. */
    private void refresh(String key, long now, Collector<FamilyRow> out) throws Exception {
        TreeMap<Long, List<FamilySlot>> pending = changed.get(key);
        if (indexed.add(key)) {
            // the first refresh of this key since the task started: rows restored dirty are in no index yet
            for (Map.Entry<FamilySlot, SlotSums> entry : slots.entries()) {
                if (entry.getValue().dirty) {
                    if (pending == null) {
                        pending = new TreeMap<>();
                        changed.put(key, pending);
                    }
                    pending.computeIfAbsent(entry.getValue().dueAt, t -> new ArrayList<>()).add(entry.getKey());
                }
            }
        }
        if (pending == null) {
            return;
        }
        long rows = 0;
        for (Set<String> heads : partitionsWritten) {
            heads.clear();
        }
        for (Map.Entry<Long, List<FamilySlot>> due = pending.firstEntry(); due != null && due.getKey() <= now; due = pending.firstEntry()) {
            pending.pollFirstEntry();
            for (FamilySlot slot : due.getValue()) {
                SlotSums s = slots.get(slot);
                if (s == null || !s.dirty || s.dueAt != due.getKey()) {
                    continue;   // written FINAL, dropped, or listed twice
                }
                out.collect(row(key, slot, s, FamilyRow.OPEN));
                freshness.get(slot.rowLevel()).update(now - s.oldestReceivedAt);
                s.dirty = false;
                slots.put(slot, s);
                rows++;
                partitionsWritten[slot.family].add(slot.head);
            }
        }
        if (pending.isEmpty()) {
            changed.remove(key);
        }
        // a family's rows of one refresh are one partition (its month's; two across a month's end, which this does not
        // count) and one mutation unless they fill more than a batch
        long mutations = 0;
        for (Set<String> heads : partitionsWritten) {
            mutations += heads.size();
        }
        budget.written(rows, mutations, now);
    }

    /** Emits FINAL every row whose window ended at least the allowed lateness before {@code watermark}, and drops it. */
    private void finalize(String key, long watermark, Collector<FamilyRow> out) throws Exception {
        // a row written FINAL stays in the due index until its refresh time comes, which then finds it gone
        for (Iterator<Map.Entry<FamilySlot, SlotSums>> it = slots.iterator(); it.hasNext(); ) {
            Map.Entry<FamilySlot, SlotSums> entry = it.next();
            SlotSums s = entry.getValue();
            if (s.windowEnd + latenessMillis <= watermark) {
                out.collect(row(key, entry.getKey(), s, FamilyRow.FINAL));
                it.remove();
            }
        }
        if (slots.isEmpty()) {
            slots.clear();   // a key with no open window keeps no state entry at all
        }
    }

    /** The partition bucket of a window, the last month's kept: nearly every row written is of the current month. */
    private String bucket(Granularity g, long windowStart) {
        if (windowStart < bucketFrom || windowStart >= bucketTo || lastBucket == null) {
            lastBucket = g.bucket(windowStart);
            bucketFrom = Granularity.MONTH.start(windowStart);
            bucketTo = Granularity.MONTH.end(windowStart);
        }
        return lastBucket;
    }

    private FamilyRow row(String via, FamilySlot slot, SlotSums s, String status) {
        Granularity g = slot.granularityValue();
        FamilyRow r = new FamilyRow();
        r.level = slot.familyLevel().name();
        r.nodeId = slot.head;
        r.bucket = bucket(g, slot.windowStart);
        r.granularity = g.name();
        r.childId = slot.child;
        r.windowStart = slot.windowStart;
        r.meterId = slot.meterId;
        r.currency = slot.currency;
        r.via = via;
        r.windowEnd = s.windowEnd;
        r.status = status;
        r.eventCount = s.eventCount;
        r.quantity = s.quantity;
        r.amount = s.amount;
        r.partnerCommission = s.partnerCommission;
        r.distributorCommission = s.distributorCommission;
        r.adjustmentCount = s.adjustmentCount;
        r.adjustmentAmount = s.adjustmentAmount;
        r.writeTimestamp = FamilyRow.FINAL.equals(status)
                ? WriteOrder.finalTimestamp(s.eventCount, attempt)
                : WriteOrder.openTimestamp(s.eventCount, attempt);
        return r;
    }
}
