package cms.pipeline.rollup;

import cms.avro.NodeLevel;
import cms.cassandra.FamilyRollups;
import cms.pipeline.model.PipelineState;
import cms.pipeline.model.FamilyRow;
import cms.pipeline.model.FamilyKey;
import cms.pipeline.model.FamilyWindows;
import cms.pipeline.model.RatedEvent;
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
 * event, all in this key's state, in four entries of it (one {@link FamilyWindows} per family part, {@link FamilyKey}).
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

    private transient MapState<FamilyKey, FamilyWindows> parts;
    /**
     * Per key, the family parts with rows changed and not yet written since this task started, by due time: a
     * refresh touches the parts due then, not every changed part of the distributor (with families on phases of
     * their own a key has a tick every grid step). A part dropped stays listed until its due time and is skipped
     * then. Not checkpointed: after a restore a key's first refresh finds its changed parts by scanning its state
     * (keys in {@link #indexed} skip that).
     */
    private transient Map<String, TreeMap<Long, List<FamilyKey>>> changed;
    private transient Set<String> indexed;
    private transient WriteBudget budget;
    /** The family partitions (level and head) one refresh writes to: its mutations, for the budget. Reused. */
    private transient Set<String>[] partitionsWritten;
    private transient Counter afterFinal;
    private transient Map<NodeLevel, Histogram> freshness;
    private transient int attempt;
    /** The event being added, as the sums take it: converted once an event, reused. */
    private transient FamilyWindows.Contribution contribution;
    private transient long[] starts;
    private transient long[] ends;
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
        parts = getRuntimeContext().getMapState(PipelineState.familyWindows());
        contribution = new FamilyWindows.Contribution();
        starts = new long[GRANULARITIES.length];
        ends = new long[GRANULARITIES.length];
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
        boolean any = false;
        for (Granularity g : GRANULARITIES) {
            int i = g.ordinal();
            starts[i] = g.start(e.bookingTime);
            ends[i] = g.end(starts[i]);
            if (watermark >= ends[i] + latenessMillis) {
                // Cannot happen: the rating stage books every event into windows whose end + lateness is above its own
                // watermark when it emits the event, and this operator's watermark is never ahead of that.
                // Dropping beats rewriting a FINAL window; the counter makes it visible.
                afterFinal.inc();
                LOG.error("usage for an already FINAL {} window dropped: {}", g, e);
                starts[i] = Long.MIN_VALUE;
            } else {
                any = true;
            }
        }
        if (!any) {
            return;
        }
        FamilyWindows.Contribution c = contribution.set(e.event.getQuantity(), e.amount, e.partnerCommission, e.distributorCommission,
                e.lateAdjustment);
        String meter = e.event.getMeterId();
        add(new FamilyKey(NodeLevel.SUBSCRIPTION, e.tenantId), e.subscriptionId(), meter, e, c, now, ctx);
        add(new FamilyKey(NodeLevel.TENANT, e.partnerId), e.tenantId, meter, e, c, now, ctx);
        add(new FamilyKey(NodeLevel.PARTNER, distributor), e.partnerId, meter, e, c, now, ctx);
        add(new FamilyKey(NodeLevel.DISTRIBUTOR, distributor), FamilyRollups.OWN, meter, e, c, now, ctx);
    }

    /** Adds the event to its rows (one a granularity) in one family part. */
    private void add(FamilyKey key, String childId, String meter, RatedEvent e, FamilyWindows.Contribution c, long now, Context ctx)
            throws Exception {
        FamilyWindows part = parts.get(key);
        if (part == null) {
            part = new FamilyWindows();
        }
        boolean wasClean = part.dirtyRows() == 0;
        int child = part.childIndex(childId);
        int m = part.meterIndex(meter);
        int cur = part.currencyIndex(e.currency);
        for (int g = 0; g < GRANULARITIES.length; g++) {
            if (starts[g] == Long.MIN_VALUE) {
                continue;
            }
            int row = part.find(child, m, cur, g, starts[g]);
            if (row < 0) {
                row = part.append(child, m, cur, g, starts[g], ends[g]);
                ctx.timerService().registerEventTimeTimer(ends[g] + latenessMillis);
            }
            part.add(row, c, e.receivedAt);
        }
        if (wasClean && part.dirtyRows() > 0) {
            long due = dueAt(now, e.receivedAt, budget.interval(key.rowLevel()), maxRefreshMillis, gridMillis, key.head.hashCode());
            part.dueAt(due);
            ctx.timerService().registerProcessingTimeTimer(due);
            changed.computeIfAbsent(ctx.getCurrentKey(), k -> new TreeMap<>()).computeIfAbsent(due, t -> new ArrayList<>()).add(key);
        }
        parts.put(key, part);
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
        TreeMap<Long, List<FamilyKey>> pending = changed.get(key);
        if (indexed.add(key)) {
            // the first refresh of this key since the task started: parts restored dirty are in no index yet
            for (Map.Entry<FamilyKey, FamilyWindows> entry : parts.entries()) {
                if (entry.getValue().dirtyRows() > 0) {
                    if (pending == null) {
                        pending = new TreeMap<>();
                        changed.put(key, pending);
                    }
                    pending.computeIfAbsent(entry.getValue().dueAt(), t -> new ArrayList<>()).add(entry.getKey());
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
        for (Map.Entry<Long, List<FamilyKey>> due = pending.firstEntry(); due != null && due.getKey() <= now; due = pending.firstEntry()) {
            pending.pollFirstEntry();
            for (FamilyKey fk : due.getValue()) {
                FamilyWindows part = parts.get(fk);
                if (part == null || part.dirtyRows() == 0 || part.dueAt() != due.getKey()) {
                    continue;   // its rows written FINAL, dropped, or listed twice
                }
                Histogram fresh = freshness.get(fk.rowLevel());
                for (int r = 0; r < part.size(); r++) {
                    if (part.dirty(r)) {
                        out.collect(row(key, fk, part, r, FamilyRow.OPEN));
                        fresh.update(now - part.oldestReceivedAt(r));
                        part.clean(r);
                        rows++;
                    }
                }
                parts.put(fk, part);
                partitionsWritten[fk.familyLevel().ordinal()].add(fk.head);
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
        // a part whose rows all turned FINAL stays in the due index until its refresh time comes, which then finds it gone
        long endedBy = watermark - latenessMillis;
        for (Iterator<Map.Entry<FamilyKey, FamilyWindows>> it = parts.iterator(); it.hasNext(); ) {
            Map.Entry<FamilyKey, FamilyWindows> entry = it.next();
            FamilyKey fk = entry.getKey();
            FamilyWindows part = entry.getValue();
            int before = part.size();
            part.removeEnded(endedBy, (p, r) -> out.collect(row(key, fk, p, r, FamilyRow.FINAL)));
            if (part.size() == 0) {
                it.remove();
            } else if (part.size() != before) {
                entry.setValue(part);
            }
        }
        if (parts.isEmpty()) {
            parts.clear();   // a key with no open window keeps no state entry at all
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

    private FamilyRow row(String via, FamilyKey fk, FamilyWindows part, int r, String status) {
        Granularity g = GRANULARITIES[part.granularity(r)];
        FamilyRow row = new FamilyRow();
        row.level = fk.familyLevel().name();
        row.nodeId = fk.head;
        row.bucket = bucket(g, part.windowStart(r));
        row.granularity = g.name();
        row.childId = part.childId(r);
        row.windowStart = part.windowStart(r);
        row.meterId = part.meterId(r);
        row.currency = part.currency(r);
        row.via = via;
        row.windowEnd = part.windowEnd(r);
        row.status = status;
        long events = part.eventCount(r);
        row.eventCount = events;
        row.quantity = part.sum(r, FamilyWindows.QUANTITY);
        row.amount = part.sum(r, FamilyWindows.AMOUNT);
        row.partnerCommission = part.sum(r, FamilyWindows.PARTNER_COMMISSION);
        row.distributorCommission = part.sum(r, FamilyWindows.DISTRIBUTOR_COMMISSION);
        row.adjustmentCount = part.adjustmentCount(r);
        row.adjustmentAmount = part.sum(r, FamilyWindows.ADJUSTMENT_AMOUNT);
        row.writeTimestamp = FamilyRow.FINAL.equals(status)
                ? WriteOrder.finalTimestamp(events, attempt)
                : WriteOrder.openTimestamp(events, attempt);
        return row;
    }
}
