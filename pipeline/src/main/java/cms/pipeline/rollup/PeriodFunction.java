package cms.pipeline.rollup;

import cms.pipeline.model.PipelineState;
import cms.pipeline.model.PeriodRow;
import cms.rollup.BillingPeriod;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Duration;

/**
 * Keyed by the booked billing period, told of each period usage is booked into ({@link PeriodMarks}): while the period is OPEN, writes the pipeline's event-time
 * watermark (as this operator sees it) to the periods table every refresh interval (when it moved);
 * when that watermark passes the period's end plus the allowed lateness, writes FINAL once and drops
 * the period's state and timers. The rating stage never books usage into a period whose end plus the
 * allowed lateness its watermark has passed, so no usage reaches a FINAL period.
 *
 * <p>Write timestamps are the watermark in microseconds (FINAL: the finalising instant plus one, above
 * every OPEN row's, as an OPEN row is only written while the watermark is below the finalising
 * instant), so a restarted job, whose watermark starts over, never turns a period back to OPEN or its
 * watermark back.
 */
public final class PeriodFunction extends KeyedProcessFunction<String, String, PeriodRow> {
    private static final long serialVersionUID = 1L;

    private final long latenessMillis;
    private final long refreshMillis;
    private transient ValueState<Long> refresh;
    private transient ValueState<Long> written;

    public PeriodFunction(Duration allowedLateness, Duration refreshInterval) {
        this.latenessMillis = allowedLateness.toMillis();
        this.refreshMillis = refreshInterval.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        refresh = getRuntimeContext().getState(PipelineState.periodRefresh());
        written = getRuntimeContext().getState(PipelineState.periodWatermark());
    }

    @Override
    public void processElement(String period, Context ctx, Collector<PeriodRow> out) throws Exception {
        if (refresh.value() == null) {
            ctx.timerService().registerEventTimeTimer(finalAt(ctx.getCurrentKey()));
            long at = ctx.timerService().currentProcessingTime() + refreshMillis;
            ctx.timerService().registerProcessingTimeTimer(at);
            refresh.update(at);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<PeriodRow> out) throws Exception {
        String period = ctx.getCurrentKey();
        long finalAt = finalAt(period);
        if (ctx.timeDomain() == TimeDomain.EVENT_TIME) {
            if (timestamp >= finalAt && refresh.value() != null) {
                out.collect(new PeriodRow(period, "FINAL", finalAt, finalAt, finalAt * 1000 + 1));
                ctx.timerService().deleteProcessingTimeTimer(refresh.value());
                refresh.clear();
                written.clear();
            }
            return;
        }
        long wm = ctx.timerService().currentWatermark();
        Long last = written.value();
        if (wm > Long.MIN_VALUE && wm < finalAt && (last == null || wm > last)) {
            out.collect(new PeriodRow(period, "OPEN", wm, null, wm * 1000));
            written.update(wm);
        }
        long next = timestamp + refreshMillis;
        ctx.timerService().registerProcessingTimeTimer(next);
        refresh.update(next);
    }

    private long finalAt(String period) {
        return BillingPeriod.parse(period).end().toEpochMilli() + latenessMillis;
    }
}
