package cms.pipeline.validation;

import cms.avro.DeadLetter;
import cms.avro.DeadLetterReason;
import cms.pipeline.PipelineState;
import cms.pipeline.model.RawRecord;
import cms.registry.SchemaRegistryClient;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;

import static cms.pipeline.Fixtures.at;
import static cms.pipeline.Fixtures.usage;
import static org.assertj.core.api.Assertions.assertThat;

/** Records that fail before the registry is asked; decoding of real frames is covered by RatingPipelineIT. */
@SuppressWarnings("try")
class DecodeUsageFunctionTest {
    @Test
    void badFramingAndTombstonesAreDeadLetteredWithTheirCoordinatesAndBytes() throws Exception {
        // nothing listens on port 1: these records must not need the registry
        var fn = new DecodeUsageFunction(SchemaRegistryClient.Config.of("http://127.0.0.1:1"),
                new UsageRules(Duration.ofDays(35), Duration.ofHours(1)));
        try (var h = ProcessFunctionTestHarnesses.forProcessFunction(fn)) {
            byte[] garbage = {7, 1, 2};
            h.processElement(new RawRecord("cms.usage.v1", 3, 42, 1000, "k".getBytes(), garbage), 0);
            h.processElement(new RawRecord("cms.usage.v1", 3, 43, 1000, "k".getBytes(), null), 0);
            assertThat(h.extractOutputValues()).isEmpty();
            var dead = h.getSideOutput(PipelineState.DEAD_LETTERS).stream().map(StreamRecord::getValue).toList();
            assertThat(dead).extracting(DeadLetter::getReason).containsExactly(DeadLetterReason.UNDECODABLE, DeadLetterReason.UNDECODABLE);
            assertThat(dead.get(0).getSourcePartition()).isEqualTo(3);
            assertThat(dead.get(0).getSourceOffset()).isEqualTo(42);
            assertThat(dead.get(0).getValue()).isEqualTo(ByteBuffer.wrap(garbage));
            assertThat(dead.get(0).getKey()).isEqualTo(ByteBuffer.wrap("k".getBytes()));
            assertThat(dead.get(0).getDetail()).contains("BAD_FRAMING");
            assertThat(dead.get(1).getDetail()).contains("NO_VALUE");
        }
    }

    @Test
    void rulesOfTheContract() {
        UsageRules rules = new UsageRules(Duration.ofDays(35), Duration.ofHours(1));
        long recorded = at("2026-01-10T00:00:00Z").toEpochMilli();
        assertThat(rules.violation(usage("e", "s", "m", "1", "2026-01-09T00:00:00Z"), recorded)).isNull();
        assertThat(rules.violation(usage("", "s", "m", "1", "2026-01-09T00:00:00Z"), recorded)).contains("eventId");
        assertThat(rules.violation(usage("x".repeat(129), "s", "m", "1", "2026-01-09T00:00:00Z"), recorded)).contains("eventId");
        assertThat(rules.violation(usage("x".repeat(128), "s", "m", "1", "2026-01-09T00:00:00Z"), recorded)).isNull();
        assertThat(rules.violation(usage("e", " ", "m", "1", "2026-01-09T00:00:00Z"), recorded)).contains("subscriptionId");
        assertThat(rules.violation(usage("e", "s", "", "1", "2026-01-09T00:00:00Z"), recorded)).contains("meterId");
        assertThat(rules.violation(usage("e", "s", "m", "-0.000000001", "2026-01-09T00:00:00Z"), recorded)).contains("quantity");
        assertThat(rules.violation(usage("e", "s", "m", "0", "2026-01-09T00:00:00Z"), recorded)).isNull();
        assertThat(rules.violation(usage("e", "s", "m", "1", "2026-01-10T01:00:01Z"), recorded)).contains("after");
        assertThat(rules.violation(usage("e", "s", "m", "1", "2025-12-05T23:59:59Z"), recorded)).contains("before");
    }
}
