package cms.pipeline.ingest;

import cms.avro.DeadLetterReason;
import cms.pipeline.model.RawRecord;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static cms.pipeline.Fixtures.at;
import static cms.pipeline.Fixtures.decoded;
import static cms.pipeline.Fixtures.usage;
import static org.assertj.core.api.Assertions.assertThat;

class WatermarksTest {
    private static final long OOO = Duration.ofMinutes(1).toMillis();
    private static final long SECOND = 1_000_000_000L;
    private static final long IDLENESS = 30 * SECOND;

    private static final class Output implements WatermarkOutput {
        final List<Long> watermarks = new ArrayList<>();
        int idle;

        @Override
        public void emitWatermark(Watermark watermark) {
            watermarks.add(watermark.getTimestamp());
        }

        @Override
        public void markIdle() {
            idle++;
        }

        @Override
        public void markActive() {
            active++;
        }

        int active;

        long last() {
            return watermarks.get(watermarks.size() - 1);
        }
    }

    /** Two partitions of one source subtask on a clock the test moves. */
    private static final class Subtask {
        long now = 1_000 * SECOND;
        final SourceActivity activity = new SourceActivity(IDLENESS, () -> now);
        final Watermarks.ValidEventTime p0 = new Watermarks.ValidEventTime(OOO, activity.register());
        final Watermarks.ValidEventTime p1 = new Watermarks.ValidEventTime(OOO, activity.register());
        final Output out0 = new Output();
        final Output out1 = new Output();

        void read(Watermarks.ValidEventTime partition, String eventTime) {
            RawRecord r = valid(eventTime, 0);
            partition.onEvent(r, new Watermarks.EventTime().extractTimestamp(r, 0), partition == p0 ? out0 : out1);
        }

        void emit() {
            p0.onPeriodicEmit(out0);
            p1.onPeriodicEmit(out1);
        }

        void pass(long nanos) {
            now += nanos;
            emit();
        }
    }

    @Test
    void aPartitionSilentWhileAnotherDeliversIsIdleAfterTheTimeout() {
        Subtask s = new Subtask();
        s.read(s.p0, "2026-01-10T10:00:00Z");
        s.read(s.p1, "2026-01-10T10:00:00Z");
        s.emit();
        for (int i = 1; i <= 29; i++) {
            s.now += SECOND;
            s.read(s.p0, "2026-01-10T1" + (i % 10) + ":00:00Z");
            s.emit();
        }
        assertThat(s.out1.idle).as("silent for 29 s while p0 delivers").isZero();
        s.now += SECOND;
        s.read(s.p0, "2026-01-10T12:00:00Z");
        s.emit();
        assertThat(s.out1.idle).as("silent for 30 s while p0 delivers").isEqualTo(1);
        assertThat(s.out0.idle).isZero();
        // its next record makes it hold the watermark again
        s.read(s.p1, "2026-01-10T10:30:00Z");
        s.emit();
        assertThat(s.out1.last()).isEqualTo(at("2026-01-10T10:30:00Z").toEpochMilli() - OOO - 1);
    }

    @Test
    void afterAQuietSpellEveryPartitionHasTheTimeoutToShowUpWhicheverIsReadFirst() {
        Subtask s = new Subtask();
        s.read(s.p0, "2026-01-01T00:00:00Z");
        s.now += SECOND;
        s.read(s.p1, "2026-01-01T00:00:00Z");
        s.emit();
        // a quiet spell of ten minutes: the partition with the latest record holds the subtask's watermark
        s.pass(600 * SECOND);
        assertThat(s.out0.idle + s.out1.idle).as("idle outputs after the quiet spell").isEqualTo(1);
        assertThat(s.out1.idle).as("p1 delivered the latest record").isZero();
        // then a burst on p0 alone (a month ahead): p0 was idle and comes back; p1 is held again at its own watermark
        s.read(s.p0, "2026-01-31T00:00:00Z");
        s.emit();
        assertThat(s.out1.last()).as("p1 holds where it was").isEqualTo(at("2026-01-01T00:00:00Z").toEpochMilli() - OOO - 1);
        s.pass(29 * SECOND);
        assertThat(s.out1.idle).as("p1, 29 s after the burst began").isZero();
        s.pass(SECOND);
        assertThat(s.out1.idle).as("p1, 30 s after the burst began without a record").isEqualTo(1);
    }

    @Test
    void aPartitionNeverReadHoldsTheWatermarkOnlyForTheTimeoutAfterTheFirstRecord() {
        Subtask s = new Subtask();
        s.pass(100 * SECOND);
        assertThat(s.out0.idle + s.out1.idle).as("nothing read yet: nothing idle").isZero();
        s.read(s.p0, "2026-01-01T00:00:00Z");
        s.pass(29 * SECOND);
        assertThat(s.out1.idle).isZero();
        assertThat(s.out1.active).as("p1 holds the watermark, having none").isPositive();
        s.pass(SECOND);
        assertThat(s.out1.idle).isEqualTo(1);
        assertThat(s.out0.idle).as("the partition with the latest record never goes idle").isZero();
        s.pass(3600 * SECOND);
        assertThat(s.out0.idle).as("not even after an hour of quiet").isZero();
        assertThat(s.out0.last()).isEqualTo(at("2026-01-01T00:00:00Z").toEpochMilli() - OOO - 1);
    }


    private static RawRecord valid(String eventTime, long recordTimestamp) {
        return decoded(usage("e", "s", "m", "1", eventTime), 0, 0, recordTimestamp);
    }

    @Test
    void theReferenceInputNeverCarriesAWatermarkAndIsIdle() {
        var generator = new Watermarks.AlwaysIdle();
        Output out = new Output();
        generator.onPeriodicEmit(out);
        generator.onEvent(null, Long.MAX_VALUE, out);
        generator.onPeriodicEmit(out);
        assertThat(out.watermarks).isEmpty();
        assertThat(out.idle).isEqualTo(2);
    }

    @Test
    void theTimestampIsTheEventTimeOfValidUsage() {
        var assigner = new Watermarks.EventTime();
        long recorded = at("2026-01-10T10:01:00Z").toEpochMilli();
        assertThat(assigner.extractTimestamp(valid("2026-01-10T10:00:00Z", recorded), recorded))
                .isEqualTo(at("2026-01-10T10:00:00Z").toEpochMilli());
        RawRecord bad = new RawRecord("t", 0, 1, recorded, null, new byte[] {1}).failed(DeadLetterReason.UNDECODABLE, "x", null);
        assertThat(assigner.extractTimestamp(bad, recorded)).isEqualTo(recorded);
    }

    @Test
    void theGeneratorFollowsValidEventTimesOnlyWithTheOutOfOrdernessBound() {
        var generator = new Watermarks.ValidEventTime(OOO, new SourceActivity(SECOND, () -> 0L).register());
        var assigner = new Watermarks.EventTime();
        Output out = new Output();
        generator.onPeriodicEmit(out);
        assertThat(out.watermarks).as("nothing before the first valid record").isEmpty();

        // an invalid record (decoded, with a wild future event time) and an undecodable one come first
        long recorded = at("2026-01-10T10:00:00Z").toEpochMilli();
        RawRecord future = valid("2026-06-01T00:00:00Z", recorded).failed(DeadLetterReason.INVALID, "after", "e");
        RawRecord garbage = new RawRecord("t", 0, 1, at("2026-07-01T00:00:00Z").toEpochMilli(), null, new byte[] {1})
                .failed(DeadLetterReason.UNDECODABLE, "x", null);
        generator.onEvent(future, assigner.extractTimestamp(future, recorded), out);
        generator.onEvent(garbage, assigner.extractTimestamp(garbage, garbage.timestamp), out);
        generator.onPeriodicEmit(out);
        assertThat(out.watermarks).isEmpty();

        RawRecord a = valid("2026-01-10T10:00:00Z", recorded);
        RawRecord older = valid("2026-01-10T09:00:00Z", recorded);
        generator.onEvent(a, assigner.extractTimestamp(a, recorded), out);
        generator.onEvent(older, assigner.extractTimestamp(older, recorded), out);
        generator.onEvent(future, assigner.extractTimestamp(future, recorded), out);
        generator.onPeriodicEmit(out);
        assertThat(out.watermarks).containsExactly(at("2026-01-10T10:00:00Z").toEpochMilli() - OOO - 1);
    }
}
