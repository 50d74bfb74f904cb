package cms.pipeline.dedup;

import cms.pipeline.Keys;
import cms.pipeline.PipelineState;
import cms.pipeline.model.ValidUsage;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static cms.pipeline.Fixtures.at;
import static cms.pipeline.Fixtures.usage;
import static cms.pipeline.Fixtures.valid;
import static org.assertj.core.api.Assertions.assertThat;

@SuppressWarnings("try")
class DeduplicateFunctionTest {
    private static final Duration HORIZON = Duration.ofHours(6);
    private static final Duration LEAD = Duration.ofHours(1);

    private static void send(KeyedOneInputStreamOperatorTestHarness<String, ValidUsage, ValidUsage> h, String id, String time)
            throws Exception {
        h.processElement(valid(usage(id, "s1", "m", "1", time)), at(time).toEpochMilli());
    }

    private static List<String> duplicates(KeyedOneInputStreamOperatorTestHarness<String, ValidUsage, ValidUsage> h) {
        var q = h.getSideOutput(PipelineState.DUPLICATES);
        return q == null ? List.of() : q.stream().map(StreamRecord::getValue).map(u -> u.event.getEventId()).toList();
    }

    @Test
    void repeatsWithinTheHorizonAreDuplicatesAndStateExpiresAfterIt() throws Exception {
        try (var h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(new DeduplicateFunction(HORIZON, LEAD), new Keys.Subscription(), Types.STRING)) {
            send(h, "e1", "2026-01-10T10:00:00Z");
            send(h, "e2", "2026-01-10T10:00:00Z");
            send(h, "e1", "2026-01-10T10:00:00Z");
            assertThat(h.extractOutputValues()).extracting(u -> u.event.getEventId()).containsExactly("e1", "e2");
            assertThat(duplicates(h)).containsExactly("e1");
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);  // one subscription
            assertThat(h.numEventTimeTimers()).isEqualTo(1);    // both ids expire at the same instant

            // the event-time watermark may run up to max-event-lead ahead of arrivals: a repeat arriving just
            // within the horizon (15:59) while the watermark is already past 16:00 is still a duplicate
            h.processWatermark(at("2026-01-10T17:00:00Z").toEpochMilli() - 1);
            long arrival = at("2026-01-10T15:59:00Z").toEpochMilli();
            h.processElement(valid(usage("e1", "s1", "m", "1", "2026-01-10T10:00:00Z"), arrival), arrival);
            assertThat(duplicates(h)).containsExactly("e1", "e1");

            h.processWatermark(at("2026-01-10T17:00:00Z").toEpochMilli());
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void idsExpiringWithinTheSameHourShareOneTimer() throws Exception {
        try (var h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(new DeduplicateFunction(HORIZON, LEAD), new Keys.Subscription(), Types.STRING)) {
            send(h, "a", "2026-01-10T10:05:00Z");   // remembered until 17:05
            send(h, "b", "2026-01-10T10:20:00Z");   // 17:20
            send(h, "c", "2026-01-10T10:59:59Z");   // 17:59:59
            send(h, "d", "2026-01-10T11:00:01Z");   // 18:00:01, the next hour
            assertThat(h.numEventTimeTimers()).isEqualTo(2);

            h.processWatermark(at("2026-01-10T17:30:00Z").toEpochMilli());
            send(h, "a", "2026-01-10T10:05:00Z");   // past its horizon but not yet dropped: still a duplicate
            assertThat(duplicates(h)).containsExactly("a");

            h.processWatermark(at("2026-01-10T18:00:00Z").toEpochMilli());
            assertThat(h.numEventTimeTimers()).isEqualTo(1);
            assertThat(h.numKeyedStateEntries()).as("d is still remembered").isEqualTo(1);
            send(h, "b", "2026-01-10T10:20:00Z");   // dropped: passes again (horizon over, as documented)
            assertThat(h.extractOutputValues()).extracting(u -> u.event.getEventId()).containsExactly("a", "b", "c", "d", "b");
        }
    }

    @Test
    void theHorizonOfALateEventRunsFromItsArrival() throws Exception {
        try (var h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(new DeduplicateFunction(HORIZON, LEAD), new Keys.Subscription(), Types.STRING)) {
            long arrival = at("2026-01-20T00:00:00Z").toEpochMilli();
            h.processElement(valid(usage("old", "s1", "m", "1", "2026-01-01T00:00:00Z"), arrival), arrival);
            h.processElement(valid(usage("old", "s1", "m", "1", "2026-01-01T00:00:00Z"), arrival + 1000), arrival + 1000);
            assertThat(duplicates(h)).containsExactly("old");
            h.processWatermark(at("2026-01-20T07:00:00Z").toEpochMilli() - 1);
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
            h.processWatermark(at("2026-01-20T07:00:00Z").toEpochMilli());
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }
}
