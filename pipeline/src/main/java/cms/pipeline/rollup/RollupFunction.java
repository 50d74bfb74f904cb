package cms.pipeline.rollup;

import cms.pipeline.PipelineState;
import cms.pipeline.model.RollupRow;
import cms.pipeline.model.RollupSums;
import cms.pipeline.sink.RollupStatements;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * Keyed by a node's window (level, node, granularity, window, meter, currency): accumulates it and
 * writes it as absolute values, as the node's own row and as its row in its parent's by-child
 * breakdown. A node that changes parent within the window (a tenant moved to another partner) keeps
 * the parts of later parents apart, so each parent's breakdown row holds only what was booked under
 * it, the first parent's being the window less the later parts. While
 * OPEN, a changed window is emitted at most once per refresh interval (a processing-time timer), so
 * dashboards see new usage within seconds without one write per event. While the job is catching up
 * (the usage waited in Kafka for T before it was rated), the interval stretches to T/10, at most
 * maxRefresh: the window is minutes old anyway, and a backlog then costs a few writes per window rather
 * than one per event (see {@link #refreshDelay}). When the watermark passes the
 * window's end plus the allowed lateness, it is emitted FINAL once and its state and timers dropped.
 *
 * <p>Write timestamps (Cassandra USING TIMESTAMP) come from the window's progress, its event count n,
 * and the task's restart count: see {@link RollupStatements#openTimestamp} and
 * {@link RollupStatements#finalTimestamp}. A restarted job re-emits counts it had already written with
 * timestamps no higher than before, so Cassandra keeps the newer value a reader may have seen; every
 * FINAL timestamp is above every OPEN one, so a FINAL row wins over any OPEN row whatever the counts;
 * and of two writes of the same count, the later attempt's replaces the earlier's whole row.
 */
public final class RollupFunction extends KeyedProcessFunction<String, RollupRow, RollupRow> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RollupFunction.class);

    private final long latenessMillis;
    private final long refreshMillis;
    private final long maxRefreshMillis;
    private transient ValueState<RollupSums> window;
    /** Parts of the window booked under a parent other than its first (rare: a move within the window). */
    private transient MapState<String, RollupSums> laterParents;
    private transient Counter afterFinal;
    private transient int attempt;

    public RollupFunction(Duration allowedLateness, Duration refreshInterval, Duration maxRefreshInterval) {
        this.latenessMillis = allowedLateness.toMillis();
        this.refreshMillis = refreshInterval.toMillis();
        this.maxRefreshMillis = Math.max(refreshMillis, maxRefreshInterval.toMillis());
    }

    /**
     * How long after {@code now} a window changed by usage received at {@code receivedAt} is rewritten:
     * the refresh interval, or a tenth of how long the usage waited to be rated, whichever is longer,
     * but at most maxRefresh. Live usage waits milliseconds, so only a backlog stretches it.
     */
    static long refreshDelay(long now, long receivedAt, long refreshMillis, long maxRefreshMillis) {
        long waited = Math.max(0, now - receivedAt);
        return Math.max(refreshMillis, Math.min(maxRefreshMillis, waited / 10));
    }

    /** Per level: how long after its usage reached Kafka a contribution's window is written (label level in Prometheus). */
    private transient java.util.Map<String, Histogram> freshness;

    @Override
    public void open(OpenContext openContext) {
        window = getRuntimeContext().getState(PipelineState.rollup());
        laterParents = getRuntimeContext().getMapState(PipelineState.rollupLaterParents());
        afterFinal = getRuntimeContext().getMetricGroup().counter("contributionsAfterFinal");
        attempt = getRuntimeContext().getTaskInfo().getAttemptNumber();
        freshness = new java.util.HashMap<>();
    }

    @Override
    public void processElement(RollupRow contribution, Context ctx, Collector<RollupRow> out) throws Exception {
        long finalAt = contribution.windowEnd + latenessMillis;
        if (ctx.timerService().currentWatermark() >= finalAt) {
            // Cannot happen: the rating stage books every event into windows whose end + lateness is above its own
            // watermark when it emits the event, and this operator's watermark is never ahead of that.
            // Dropping beats rewriting a FINAL window; the counter makes it visible.
            afterFinal.inc();
            LOG.error("contribution to an already FINAL window dropped: {}", contribution);
            return;
        }
        RollupSums acc = window.value();
        if (acc == null) {
            acc = RollupSums.of(contribution);
            ctx.timerService().registerEventTimeTimer(finalAt);
        } else {
            acc.add(contribution);
            if (contribution.hasParent() && !contribution.parentId.equals(acc.parentId)) {
                RollupSums part = laterParents.get(contribution.parentId);
                if (part == null) {
                    part = RollupSums.of(contribution);
                } else {
                    part.add(contribution);
                }
                laterParents.put(contribution.parentId, part);
            }
        }
        if (acc.refreshAt == 0) {
            long now = ctx.timerService().currentProcessingTime();
            acc.refreshAt = now + refreshDelay(now, contribution.receivedAt, refreshMillis, maxRefreshMillis);
            ctx.timerService().registerProcessingTimeTimer(acc.refreshAt);
            // the oldest contribution not yet written is this one: its freshness is the window's at the write
            freshness(contribution.level).update(acc.refreshAt - contribution.receivedAt);
        }
        window.update(acc);
    }

    private Histogram freshness(String level) {
        return freshness.computeIfAbsent(level, l -> getRuntimeContext().getMetricGroup().addGroup("level", l)
                .histogram("freshnessMillis", new DescriptiveStatisticsHistogram(1000)));
    }

    private int attempt() {
        return attempt;
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<RollupRow> out) throws Exception {
        RollupSums acc = window.value();
        if (acc == null) {
            return;
        }
        if (ctx.timeDomain() == TimeDomain.EVENT_TIME) {
            emit(ctx.getCurrentKey(), acc, RollupRow.FINAL, out);
            if (acc.refreshAt != 0) {
                ctx.timerService().deleteProcessingTimeTimer(acc.refreshAt);
            }
            window.clear();
            laterParents.clear();
        } else {
            emit(ctx.getCurrentKey(), acc, RollupRow.OPEN, out);
            acc.refreshAt = 0;
            window.update(acc);
        }
    }

    /** The window (keyed {@code key}) as the node's own row, then as its row in each parent's by-child breakdown. */
    private void emit(String key, RollupSums acc, String status, Collector<RollupRow> out) throws Exception {
        RollupRow identity = RollupRow.ofKey(key);
        out.collect(stamped(acc.applyTo(identity.copy()), status));
        if (!acc.hasParent()) {
            return;
        }
        RollupSums first = acc.copy();
        for (java.util.Map.Entry<String, RollupSums> later : laterParents.entries()) {
            first.subtract(later.getValue());
            out.collect(stamped(later.getValue().applyTo(identity.asChildOf(later.getKey())), status));
        }
        out.collect(stamped(first.applyTo(identity.asChildOf(acc.parentId)), status));
    }

    private RollupRow stamped(RollupRow row, String status) {
        row.status = status;
        row.writeTimestamp = RollupRow.FINAL.equals(status)
                ? RollupStatements.finalTimestamp(row.eventCount, attempt())
                : RollupStatements.openTimestamp(row.eventCount, attempt());
        return row;
    }
}
