package cms.pipeline.ingest;

import cms.pipeline.model.RawRecord;
import cms.pipeline.model.ReferenceUpdate;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssignerSupplier;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

import java.time.Duration;

/** The job's watermark strategies. */
public final class Watermarks {
    /**
     * Usage: an event-time watermark, given to the Kafka source itself (env.fromSource), which runs one
     * generator per split: every Kafka partition has its own watermark and the source subtask emits the
     * minimum over the partitions that are not idle. Each partition's watermark is the bounded
     * out-of-orderness one over the event times of its VALID records only ({@link ValidEventTime}):
     * undecodable and invalid records never move it (they count as activity). Validation bounds eventTime
     * by the record's arrival (max-event-lead / max-event-age), so one wild future eventTime cannot
     * finalize everything. Idleness is relative ({@link SourceActivity}): a partition is idle after
     * {@code idleness} without records while the subtask's other partitions deliver, never merely
     * because the whole input was quiet, and the subtask itself never goes idle once it has read a record.
     */
    public static WatermarkStrategy<RawRecord> usage(Duration outOfOrderness, Duration idleness) {
        return new UsageWatermarks(outOfOrderness.toMillis(), idleness.toNanos(), System::nanoTime);
    }

    /**
     * The usage strategy. Flink's source operator asks one instance (the subtask's copy) for a generator
     * per split, so the generators of one subtask share one {@link SourceActivity}.
     */
    static final class UsageWatermarks implements WatermarkStrategy<RawRecord> {
        private static final long serialVersionUID = 1L;
        private final long boundMillis;
        private final long idlenessNanos;
        private final SourceActivity.Clock clock;
        private transient SourceActivity activity;

        UsageWatermarks(long boundMillis, long idlenessNanos, SourceActivity.Clock clock) {
            this.boundMillis = boundMillis;
            this.idlenessNanos = idlenessNanos;
            this.clock = clock;
        }

        @Override
        public WatermarkGenerator<RawRecord> createWatermarkGenerator(WatermarkGeneratorSupplier.Context context) {
            if (activity == null) {
                activity = new SourceActivity(idlenessNanos, clock);
            }
            return new ValidEventTime(boundMillis, activity.register());
        }

        @Override
        public TimestampAssigner<RawRecord> createTimestampAssigner(TimestampAssignerSupplier.Context context) {
            return new EventTime();
        }
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
     * One partition's watermark: (maximum valid eventTime so far) - bound - 1, emitted periodically while
     * the partition is not idle (nothing before its first valid record, so a partition never read holds
     * the watermark where it is until it counts as idle).
     */
    public static final class ValidEventTime implements WatermarkGenerator<RawRecord> {
        private final long bound;
        private final SourceActivity.Member activity;
        private long max = Long.MIN_VALUE;
        private boolean idle;

        public ValidEventTime(long boundMillis, SourceActivity.Member activity) {
            this.bound = boundMillis;
            this.activity = activity;
        }

        @Override
        public void onEvent(RawRecord record, long eventTimestamp, WatermarkOutput output) {
            activity.recordArrived();
            if (record.isValid()) {
                max = Math.max(max, eventTimestamp);
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            if (activity.isIdle()) {
                if (!idle) {
                    output.markIdle();
                    idle = true;
                }
                return;
            }
            idle = false;
            if (max != Long.MIN_VALUE) {
                output.emitWatermark(new Watermark(max - bound - 1));
            } else {
                output.markActive();
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
