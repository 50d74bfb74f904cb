package cms.pipeline.dedup;

import cms.avro.PlanOwner;
import cms.avro.PricingModel;
import cms.pipeline.model.Keys;
import cms.pipeline.model.PipelineState;
import cms.pipeline.model.RatedEvent;
import cms.pipeline.model.ReferenceUpdate;
import cms.pipeline.model.ValidUsage;
import cms.pipeline.rating.RatingFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static cms.pipeline.Fixtures.at;
import static cms.pipeline.Fixtures.book;
import static cms.pipeline.Fixtures.chain;
import static cms.pipeline.Fixtures.flat;
import static cms.pipeline.Fixtures.plan;
import static cms.pipeline.Fixtures.rate;
import static cms.pipeline.Fixtures.tier;
import static cms.pipeline.Fixtures.usage;
import static cms.pipeline.Fixtures.valid;
import static cms.pipeline.HarnessState.keysWith;
import static org.assertj.core.api.Assertions.assertThat;

/** De-duplication by eventId fingerprint, in the rating operator (which is keyed by subscription). */
class DeduplicationTest {
    private static final Duration HORIZON = Duration.ofHours(6);
    private static final Duration LEAD = Duration.ofHours(1);
    private static final String SEEN = "seen-event-fingerprints";

    private KeyedBroadcastOperatorTestHarness<String, ValidUsage, ReferenceUpdate, RatedEvent> h;

    @BeforeEach
    void open() throws Exception {
        h = ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
                new RatingFunction(Duration.ofSeconds(30), Duration.ofHours(1), Duration.ofDays(35), HORIZON, LEAD, null),
                new Keys.Subscription(), Types.STRING, PipelineState.referenceData());
        h.processBroadcastWatermark(Long.MAX_VALUE);
        h.setProcessingTime(0);
        for (ReferenceUpdate u : List.of(
                ReferenceUpdate.of(book("b1", "EUR", "2026-01-01T00:00:00Z", rate("vcpu", null, PricingModel.PER_UNIT, "0", tier(null, "1.00")))),
                ReferenceUpdate.of(plan("default", PlanOwner.PLATFORM, null, "2026-01-01T00:00:00Z", flat("0.10"), flat("0.05"))))) {
            h.processBroadcastElement(u, 0);
        }
        for (ReferenceUpdate u : chain("d1", "p1", "t1", "s1", "b1")) {
            h.processBroadcastElement(u, 0);
        }
    }

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    private void send(String id, String time) throws Exception {
        h.processElement(valid(usage(id, "s1", "vcpu", "1", time)), at(time).toEpochMilli());
    }

    private List<String> duplicates() {
        var q = h.getSideOutput(PipelineState.DUPLICATES);
        return q == null ? List.of() : q.stream().map(StreamRecord::getValue).map(u -> u.event.getEventId()).toList();
    }

    private List<String> rated() {
        return h.extractOutputValues().stream().map(r -> r.event.getEventId()).toList();
    }

    @Test
    void repeatsWithinTheHorizonAreDuplicatesAndStateExpiresAfterIt() throws Exception {
        send("e1", "2026-01-10T10:00:00Z");
        send("e2", "2026-01-10T10:00:00Z");
        send("e1", "2026-01-10T10:00:00Z");
        assertThat(rated()).containsExactly("e1", "e2");
        assertThat(duplicates()).containsExactly("e1");
        assertThat(keysWith(h, SEEN)).isEqualTo(1);  // one subscription
        // both ids expire at the same instant: one timer for them, one for January's cumulative quantities
        assertThat(h.numEventTimeTimers()).isEqualTo(2);

        // the event-time watermark may run up to max-event-lead ahead of arrivals: a repeat arriving just
        // within the horizon (15:59) while the watermark is already past 16:00 is still a duplicate
        h.processWatermark(at("2026-01-10T17:00:00Z").toEpochMilli() - 1);
        long arrival = at("2026-01-10T15:59:00Z").toEpochMilli();
        h.processElement(valid(usage("e1", "s1", "vcpu", "1", "2026-01-10T10:00:00Z"), arrival), arrival);
        assertThat(duplicates()).containsExactly("e1", "e1");

        h.processWatermark(at("2026-01-10T17:00:00Z").toEpochMilli());
        assertThat(keysWith(h, SEEN)).isZero();
        assertThat(h.numEventTimeTimers()).as("January's cumulative quantities only").isEqualTo(1);
    }

    @Test
    void idsExpiringWithinTheSameHourShareOneTimer() throws Exception {
        send("a", "2026-01-10T10:05:00Z");   // remembered until 17:05
        send("b", "2026-01-10T10:20:00Z");   // 17:20
        send("c", "2026-01-10T10:59:59Z");   // 17:59:59
        send("d", "2026-01-10T11:00:01Z");   // 18:00:01, the next hour
        assertThat(h.numEventTimeTimers()).as("two hours of ids, and January's cumulative quantities").isEqualTo(3);

        h.processWatermark(at("2026-01-10T17:30:00Z").toEpochMilli());
        send("a", "2026-01-10T10:05:00Z");   // past its horizon but not yet dropped: still a duplicate
        assertThat(duplicates()).containsExactly("a");

        h.processWatermark(at("2026-01-10T18:00:00Z").toEpochMilli());
        assertThat(h.numEventTimeTimers()).isEqualTo(2);
        assertThat(keysWith(h, SEEN)).as("d is still remembered").isEqualTo(1);
        send("b", "2026-01-10T10:20:00Z");   // dropped: passes again (horizon over, as documented); it is late by now
        assertThat(rated()).containsExactly("a", "b", "c", "d", "b");
    }

    @Test
    void theHorizonOfALateEventRunsFromItsArrival() throws Exception {
        long arrival = at("2026-01-20T00:00:00Z").toEpochMilli();
        h.processElement(valid(usage("old", "s1", "vcpu", "1", "2026-01-01T00:00:00Z"), arrival), arrival);
        h.processElement(valid(usage("old", "s1", "vcpu", "1", "2026-01-01T00:00:00Z"), arrival + 1000), arrival + 1000);
        assertThat(duplicates()).containsExactly("old");
        h.processWatermark(at("2026-01-20T07:00:00Z").toEpochMilli() - 1);
        assertThat(keysWith(h, SEEN)).isEqualTo(1);
        h.processWatermark(at("2026-01-20T07:00:00Z").toEpochMilli());
        assertThat(keysWith(h, SEEN)).isZero();
    }

    @Test
    void aFingerprintIsTheSameForTheSameIdAndDiffersForOthers() {
        EventFingerprint f = new EventFingerprint();
        assertThat(f.of("e-1")).isEqualTo(new EventFingerprint().of("e-1"));
        java.util.Set<Long> seen = new java.util.HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            seen.add(f.of("event-" + i));
        }
        assertThat(seen).hasSize(100_000);
    }
}
