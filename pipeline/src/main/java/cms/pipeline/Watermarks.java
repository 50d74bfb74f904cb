package cms.pipeline;

import cms.pipeline.model.ReferenceUpdate;
import cms.pipeline.model.ValidUsage;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

import java.time.Duration;

/** The job's watermark strategies. */
public final class Watermarks {
    /**
     * Usage: the watermark follows arrival, the Kafka record timestamps (bounded out-of-orderness),
     * with idleness so that an idle Kafka partition (or subtask) does not hold every window OPEN.
     * Windows are still those of the event time; a window turns FINAL when arrivals have passed its
     * end plus the allowed lateness, so whether usage is late depends on the record alone (see
     * RatingFunction) and replays decide exactly as the first run did. Applied right after decoding,
     * in the source's chain.
     */
    public static WatermarkStrategy<ValidUsage> usage(Duration outOfOrderness, Duration idleness) {
        return WatermarkStrategy.<ValidUsage>forBoundedOutOfOrderness(outOfOrderness)
                .withTimestampAssigner(new Arrival())
                .withIdleness(idleness);
    }

    /**
     * Reference data is not in event time; its watermark is "end of time", so the broadcast input
     * never holds back the rating operator's watermark (which is the minimum of its two inputs).
     */
    public static WatermarkStrategy<ReferenceUpdate> reference() {
        return WatermarkStrategy.forGenerator(ctx -> new EndOfTime());
    }

    /** The Kafka record's timestamp: when the usage arrived. */
    public static final class Arrival implements SerializableTimestampAssigner<ValidUsage> {
        private static final long serialVersionUID = 1L;

        @Override
        public long extractTimestamp(ValidUsage u, long recordTimestamp) {
            return u.source.timestamp;
        }
    }

    /** Emits the maximum watermark. */
    public static final class EndOfTime implements WatermarkGenerator<ReferenceUpdate> {
        @Override
        public void onEvent(ReferenceUpdate event, long eventTimestamp, WatermarkOutput output) {}

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            output.emitWatermark(new Watermark(Long.MAX_VALUE));
        }
    }

    private Watermarks() {}
}
