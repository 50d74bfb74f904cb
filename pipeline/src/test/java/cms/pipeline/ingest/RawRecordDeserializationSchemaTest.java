package cms.pipeline.ingest;

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
                new UsageRules(Duration.ofDays(35), Duration.ofHours(1), 256 * 1024));
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
    void aRecordLargerThanTheMaximumEventSizeIsInvalidBeforeItIsDecodedAndOneAtTheLimitIsDecoded() {
        var schema = new RawRecordDeserializationSchema(SchemaRegistryClient.Config.of("http://127.0.0.1:1"),
                new UsageRules(Duration.ofDays(35), Duration.ofHours(1), 1024));
        schema.open(null);
        byte[] key = "k".getBytes();
        // not Confluent frames (magic byte 7): decoding them fails without the registry
        RawRecord over = schema.decode(new RawRecord("cms.usage.v1", 0, 1, 0, key, notAFrame(1024)));
        assertThat(over.failure).isEqualTo(DeadLetterReason.INVALID);
        assertThat(over.failureDetail).contains("1025 bytes").contains("max-event-size 1024");
        assertThat(over.value).hasSize(1024);
        // at the limit exactly (key + value): decoded (here bad framing: not the size rule)
        RawRecord at = schema.decode(new RawRecord("cms.usage.v1", 0, 2, 0, key, notAFrame(1023)));
        assertThat(at.failure).isEqualTo(DeadLetterReason.UNDECODABLE);
        // a null key counts nothing; a huge key alone is too large
        assertThat(schema.decode(new RawRecord("cms.usage.v1", 0, 3, 0, null, notAFrame(1024))).failure).isEqualTo(DeadLetterReason.UNDECODABLE);
        assertThat(schema.decode(new RawRecord("cms.usage.v1", 0, 4, 0, new byte[1025], null)).failureDetail).contains("max-event-size");
        // an empty value and a tombstone are undecodable
        assertThat(schema.decode(new RawRecord("cms.usage.v1", 0, 5, 0, key, new byte[0])).failureDetail).contains("BAD_FRAMING");
        assertThat(schema.decode(new RawRecord("cms.usage.v1", 0, 6, 0, null, null)).failureDetail).contains("NO_VALUE");
    }

    private static byte[] notAFrame(int length) {
        byte[] b = new byte[length];
        java.util.Arrays.fill(b, (byte) 7);
        return b;
    }

    @Test
    void aQuantityBeyondTheSchemasPrecisionIsInvalid() {
        UsageRules rules = new UsageRules(Duration.ofDays(35), Duration.ofHours(1), 1 << 18);
        long arrival = at("2026-01-10T00:00:00Z").toEpochMilli();
        assertThat(UsageRules.QUANTITY_PRECISION).isEqualTo(28);
        // 28 significant digits at scale 9: the largest the schema holds
        assertThat(rules.violation(usage("e", "s", "m", "9999999999999999999.999999999", "2026-01-09T00:00:00Z"), arrival)).isNull();
        // S-1: 10^19 at scale 9 is 29 digits; Avro would refuse to encode it in the first operator that copies it
        assertThat(rules.violation(usage("e", "s", "m", "10000000000000000000", "2026-01-09T00:00:00Z"), arrival))
                .contains("quantity has more than the 28 significant digits").contains("10000000000000000000.000000000");
        assertThat(rules.violation(usage("e", "s", "m", "1e300", "2026-01-09T00:00:00Z"), arrival))
                .contains("quantity").contains("bits");
        assertThat(rules.violation(usage("e", "s", "m", "0.000000001", "2026-01-09T00:00:00Z"), arrival)).isNull();
    }

    @Test
    void eventTimeIsJudgedAgainstTheArrivalNotAProducersFutureTimestamp() {
        long now = at("2026-12-01T12:00:00Z").toEpochMilli();
        // a timestamp in the past: the record's own (replays decide as the first run did)
        assertThat(UsageRules.arrival(now - 60_000, now)).isEqualTo(now - 60_000);
        // a producer whose clock runs fast: the time it is read
        assertThat(UsageRules.arrival(now + 55 * 60_000, now)).isEqualTo(now);
        assertThat(UsageRules.arrival(-1, now)).isEqualTo(now);

        UsageRules rules = new UsageRules(Duration.ofDays(35), Duration.ofHours(1), 1 << 18);
        // S-2: record timestamp 55 min ahead, eventTime 1 h 50 min ahead: 55 min after the timestamp, 1 h 50 after the arrival
        long fastTimestamp = now + 55 * 60_000;
        var s2 = usage("e", "s", "m", "1", "2026-12-01T13:50:00Z");
        assertThat(rules.violation(s2, fastTimestamp)).as("judged against the timestamp (before)").isNull();
        assertThat(rules.violation(s2, UsageRules.arrival(fastTimestamp, now))).contains("max-event-lead").contains("after");
        // the lead's edge: exactly max-event-lead after the arrival is valid, a millisecond more is not
        assertThat(rules.violation(usage("e", "s", "m", "1", "2026-12-01T13:00:00Z"), now)).isNull();
        assertThat(rules.violation(usage("e", "s", "m", "1", "2026-12-01T13:00:00.001Z"), now)).contains("max-event-lead");
        // the age's edge
        assertThat(rules.violation(usage("e", "s", "m", "1", "2026-10-27T12:00:00Z"), now)).isNull();
        assertThat(rules.violation(usage("e", "s", "m", "1", "2026-10-27T11:59:59.999Z"), now)).contains("max-event-age");
    }

    @Test
    void rulesOfTheContract() {
        UsageRules rules = new UsageRules(Duration.ofDays(35), Duration.ofHours(1), 256 * 1024);
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
