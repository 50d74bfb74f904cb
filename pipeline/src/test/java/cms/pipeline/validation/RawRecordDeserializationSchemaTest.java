package cms.pipeline.validation;

import cms.avro.DeadLetterReason;
import cms.pipeline.model.RawRecord;
import cms.registry.SchemaRegistryClient;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static cms.pipeline.Fixtures.at;
import static cms.pipeline.Fixtures.usage;
import static org.assertj.core.api.Assertions.assertThat;

/** Records that fail before the registry is asked; decoding of real frames is covered by RatingPipelineIT. */
class RawRecordDeserializationSchemaTest {
    @Test
    void badFramingAndTombstonesBecomeUndecodableRecordsWithTheirCoordinatesAndBytesWithoutThrowing() throws Exception {
        // nothing listens on port 1: these records must not need the registry
        var schema = new RawRecordDeserializationSchema(SchemaRegistryClient.Config.of("http://127.0.0.1:1"),
                new UsageRules(Duration.ofDays(35), Duration.ofHours(1)));
        schema.open(null);
        byte[] garbage = {7, 1, 2};
        List<RawRecord> out = new ArrayList<>();
        Collector<RawRecord> collector = new Collector<>() {
            @Override
            public void collect(RawRecord r) {
                out.add(r);
            }

            @Override
            public void close() {}
        };
        schema.deserialize(new ConsumerRecord<>("cms.usage.v1", 3, 42, "k".getBytes(), garbage), collector);
        schema.deserialize(new ConsumerRecord<>("cms.usage.v1", 3, 43, "k".getBytes(), null), collector);
        assertThat(out).hasSize(2);
        assertThat(out).extracting(r -> r.failure).containsExactly(DeadLetterReason.UNDECODABLE, DeadLetterReason.UNDECODABLE);
        assertThat(out).noneMatch(RawRecord::isValid);
        RawRecord first = out.get(0);
        assertThat(first.partition).isEqualTo(3);
        assertThat(first.offset).isEqualTo(42);
        assertThat(first.value).isEqualTo(garbage);
        assertThat(first.key).isEqualTo("k".getBytes());
        assertThat(first.event).isNull();
        assertThat(first.failureDetail).contains("BAD_FRAMING");
        assertThat(out.get(1).failureDetail).contains("NO_VALUE");
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
        // event time is bounded by the Kafka record timestamp: a wild future eventTime would move the event-time watermark
        assertThat(rules.violation(usage("e", "s", "m", "1", "2026-01-10T01:00:00Z"), recorded)).isNull();
        assertThat(rules.violation(usage("e", "s", "m", "1", "2026-01-10T01:00:01Z"), recorded)).contains("after");
        assertThat(rules.violation(usage("e", "s", "m", "1", "2027-01-10T00:00:00Z"), recorded)).contains("after");
        assertThat(rules.violation(usage("e", "s", "m", "1", "2025-12-05T23:59:59Z"), recorded)).contains("before");
    }
}
