package cms.pipeline.dedup;

import cms.pipeline.PipelineState;
import cms.pipeline.model.ValidUsage;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Duration;
import java.util.Iterator;
import java.util.Map;

/**
 * Keyed by subscription, remembering eventIds: the first record of an eventId passes, repeats within
 * the horizon go to the DUPLICATES side output. Keyed by subscription rather than by eventId so that
 * a subscription's usage keeps its Kafka order all the way into rating: tiered amounts per event, and
 * so every window, come out the same in every run and every replay. (A re-sent event is the same
 * event, so it carries the same subscription.)
 *
 * <p>The horizon runs from the later of the event's time and its arrival (Kafka timestamp): a repeat
 * arriving within the horizon of that instant is a duplicate. Expired ids are dropped by event-time
 * timers, one per subscription and hour. The job's watermark is in event time, and valid event times are at most max-event-lead after
 * their record's Kafka timestamp, so the watermark can run up to max-event-lead ahead of arrivals: the
 * timer fires at the end of the horizon plus max-event-lead, so that the watermark cannot drop an id
 * while a repeat arriving within the horizon may still come (as when the watermark followed arrivals).
 */
public final class DeduplicateFunction extends KeyedProcessFunction<String, ValidUsage, ValidUsage> {
    private static final long serialVersionUID = 1L;

    private static final long EXPIRY_GRANULE = Duration.ofHours(1).toMillis();

    private final long horizonMillis;
    private final long maxLeadMillis;
    private transient MapState<String, Long> seen;
    private transient Counter duplicates;

    public DeduplicateFunction(Duration horizon, Duration maxEventLead) {
        this.horizonMillis = horizon.toMillis();
        this.maxLeadMillis = maxEventLead.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        seen = getRuntimeContext().getMapState(PipelineState.seenEventIds());
        duplicates = getRuntimeContext().getMetricGroup().counter("duplicates");
    }

    @Override
    public void processElement(ValidUsage usage, Context ctx, Collector<ValidUsage> out) throws Exception {
        String eventId = usage.event.getEventId();
        if (seen.contains(eventId)) {
            duplicates.inc();
            ctx.output(PipelineState.DUPLICATES, usage);
            return;
        }
        long from = Math.max(usage.event.getEventTime().toEpochMilli(), usage.source.timestamp);
        long until = from + horizonMillis + maxLeadMillis;
        seen.put(eventId, until);
        ctx.timerService().registerEventTimeTimer(expiryTimer(until));
        out.collect(usage);
    }

    /**
     * The timer that drops an id remembered until {@code until}: {@code until} rounded up to the hour, so a
     * subscription has one timer per hour rather than one per event (a timer per event was most of the timer queue
     * and of its checkpoints); an id is kept less than an hour longer than the horizon asks.
     */
    static long expiryTimer(long until) {
        return Math.floorDiv(until + EXPIRY_GRANULE - 1, EXPIRY_GRANULE) * EXPIRY_GRANULE;
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ValidUsage> out) throws Exception {
        Iterator<Map.Entry<String, Long>> it = seen.iterator();
        while (it.hasNext()) {
            if (it.next().getValue() <= timestamp) {
                it.remove();
            }
        }
        if (seen.isEmpty()) {
            seen.clear();
        }
    }
}
