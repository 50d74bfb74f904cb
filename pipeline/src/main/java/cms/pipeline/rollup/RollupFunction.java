package cms.pipeline.rollup;

import cms.pipeline.PipelineState;
import cms.pipeline.model.RollupRow;
import cms.pipeline.sink.RollupStatements;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * Keyed by the row's primary key: accumulates one window and writes it as absolute values. While
 * OPEN, a changed window is emitted at most once per refresh interval (a processing-time timer), so
 * dashboards see new usage within seconds without one write per event. When the watermark passes the
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
    private transient ValueState<RollupRow> window;
    private transient ValueState<Long> refresh;
    private transient Counter afterFinal;

    public RollupFunction(Duration allowedLateness, Duration refreshInterval) {
        this.latenessMillis = allowedLateness.toMillis();
        this.refreshMillis = refreshInterval.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        window = getRuntimeContext().getState(PipelineState.rollup());
        refresh = getRuntimeContext().getState(PipelineState.rollupRefresh());
        afterFinal = getRuntimeContext().getMetricGroup().counter("contributionsAfterFinal");
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
        RollupRow acc = window.value();
        if (acc == null) {
            acc = contribution.copy();
            ctx.timerService().registerEventTimeTimer(finalAt);
        } else {
            acc.add(contribution);
        }
        window.update(acc);
        if (refresh.value() == null) {
            long at = ctx.timerService().currentProcessingTime() + refreshMillis;
            ctx.timerService().registerProcessingTimeTimer(at);
            refresh.update(at);
        }
    }

    private int attempt() {
        return getRuntimeContext().getTaskInfo().getAttemptNumber();
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<RollupRow> out) throws Exception {
        RollupRow acc = window.value();
        if (acc == null) {
            return;
        }
        if (ctx.timeDomain() == TimeDomain.EVENT_TIME) {
            RollupRow row = acc.copy();
            row.status = RollupRow.FINAL;
            row.writeTimestamp = RollupStatements.finalTimestamp(row.eventCount, attempt());
            out.collect(row);
            Long pendingRefresh = refresh.value();
            if (pendingRefresh != null) {
                ctx.timerService().deleteProcessingTimeTimer(pendingRefresh);
            }
            window.clear();
            refresh.clear();
        } else {
            RollupRow row = acc.copy();
            row.status = RollupRow.OPEN;
            row.writeTimestamp = RollupStatements.openTimestamp(row.eventCount, attempt());
            out.collect(row);
            refresh.clear();
        }
    }
}
