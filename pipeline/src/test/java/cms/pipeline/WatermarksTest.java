package cms.pipeline;

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
        public void markActive() {}
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
        var generator = new Watermarks.ValidEventTime(OOO);
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
