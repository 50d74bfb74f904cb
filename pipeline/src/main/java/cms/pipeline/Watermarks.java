package cms.pipeline;

import cms.pipeline.model.RawRecord;
import cms.pipeline.model.ReferenceUpdate;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

import java.time.Duration;

/** The job's watermark strategies. */
public final class Watermarks {
    /**
     * Usage: an event-time watermark, given to the Kafka source itself (env.fromSource), which runs one
     * generator per split: every Kafka partition has its own watermark, the source subtask emits the
     * minimum over its partitions, and a partition without records for {@code idleness} is marked idle
     * (it stops holding the watermark back until its next record). Each partition's watermark is the
     * bounded out-of-orderness one over the event times of its VALID records only ({@link ValidEventTime}):
     * undecodable and invalid records never move it. Validation bounds eventTime by the Kafka record
     * timestamp (max-event-lead / max-event-age), so one wild future eventTime cannot finalize everything.
     */
    public static WatermarkStrategy<RawRecord> usage(Duration outOfOrderness, Duration idleness) {
        long bound = outOfOrderness.toMillis();
        return WatermarkStrategy.<RawRecord>forGenerator(ctx -> new ValidEventTime(bound))
                .withTimestampAssigner(new EventTime())
                .withIdleness(idleness);
    }

    /**
     * Reference data is not in event time: its input is marked idle, so the rating operator's watermark
     * (the minimum over its inputs that are not idle) is the usage input's alone. Not "end of time": when
     * every usage partition went idle (a quiet spell longer than source-idleness), the operator's watermark
     * would become that of the reference input, end of time, finalizing every open window and period (and
     * booking the next usage at the end of time: seen in the benchmark as a long overflow).
     */
    public static WatermarkStrategy<ReferenceUpdate> reference() {
        return WatermarkStrategy.forGenerator(ctx -> new AlwaysIdle());
    }

    /** A valid record's eventTime; a dead letter keeps its Kafka record timestamp (it never reaches an event-time operator). */
    public static final class EventTime implements SerializableTimestampAssigner<RawRecord> {
        private static final long serialVersionUID = 1L;

        @Override
        public long extractTimestamp(RawRecord r, long recordTimestamp) {
            return r.isValid() ? r.event.getEventTime().toEpochMilli() : r.timestamp;
        }
    }

    /**
     * Bounded out-of-orderness over valid records: emits (maximum valid eventTime so far) - bound - 1
     * periodically, nothing before the first valid record (so an unread partition holds the watermark
     * at its start, unless idle).
     */
    public static final class ValidEventTime implements WatermarkGenerator<RawRecord> {
        private final long bound;
        private long max = Long.MIN_VALUE;

        public ValidEventTime(long boundMillis) {
            this.bound = boundMillis;
        }

        @Override
        public void onEvent(RawRecord record, long eventTimestamp, WatermarkOutput output) {
            if (record.isValid()) {
                max = Math.max(max, eventTimestamp);
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            if (max != Long.MIN_VALUE) {
                output.emitWatermark(new Watermark(max - bound - 1));
            }
        }
    }

    /** Never emits a watermark; marks its output idle. */
    public static final class AlwaysIdle implements WatermarkGenerator<ReferenceUpdate> {
        @Override
        public void onEvent(ReferenceUpdate event, long eventTimestamp, WatermarkOutput output) {}

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            output.markIdle();
        }
    }

    private Watermarks() {}
}
