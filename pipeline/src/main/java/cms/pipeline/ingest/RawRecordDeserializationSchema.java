package cms.pipeline.ingest;

import cms.avro.DeadLetterReason;
import cms.avro.UsageEvent;
import cms.pipeline.model.RawRecord;
import cms.registry.SchemaRegistryClient;
import cms.wire.AvroDeserializer;
import cms.wire.UndecodableRecordException;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.time.Clock;

/**
 * Decodes and validates each usage record in the Kafka source itself, so that the source's
 * per-partition watermark generator can see the event time (see {@code Watermarks.usage}). Every
 * record becomes exactly one {@link RawRecord} with its coordinates and untouched bytes, carrying
 * either the valid event or the failure: UNDECODABLE (bad framing, unknown schema id, corrupt bytes,
 * a tombstone, an empty value) or INVALID (a rule of {@link UsageRules} broken: a record larger than
 * max-event-size is refused before it is decoded). Bad data never throws here; the
 * dead letters are split off by the operator chained after the source. A registry that is down is
 * NOT bad data: its exception propagates, the source fails and the job retries from its last
 * checkpoint.
 */
public final class RawRecordDeserializationSchema implements KafkaRecordDeserializationSchema<RawRecord> {
    private static final long serialVersionUID = 1L;

    private final SchemaRegistryClient.Config registry;
    private final UsageRules rules;
    /** The time a record is read, against which a producer's future record timestamp is judged (see UsageRules.arrival). */
    private final Clock clock;
    private transient AvroDeserializer<UsageEvent> deserializer;

    public RawRecordDeserializationSchema(SchemaRegistryClient.Config registry, UsageRules rules) {
        this(registry, rules, Clock.systemUTC());
    }

    RawRecordDeserializationSchema(SchemaRegistryClient.Config registry, UsageRules rules, Clock clock) {
        this.registry = registry;
        this.rules = rules;
        this.clock = clock;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        deserializer = new AvroDeserializer<>(new SchemaRegistryClient(registry), UsageEvent.class);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawRecord> out) {
        out.collect(decode(new RawRecord(record.topic(), record.partition(), record.offset(), record.timestamp(),
                record.key(), record.value())));
    }

    /** Decodes and validates {@code raw} (in place) and returns it. */
    RawRecord decode(RawRecord raw) {
        if (deserializer == null) {
            open(null);
        }
        String tooLarge = rules.sizeViolation(raw.key, raw.value);
        if (tooLarge != null) {
            return raw.failed(DeadLetterReason.INVALID, tooLarge, null);
        }
        UsageEvent event;
        try {
            event = deserializer.deserialize(raw.value);
        } catch (UndecodableRecordException e) {
            return raw.failed(DeadLetterReason.UNDECODABLE, e.problem() + ": " + e.getMessage(), null);
        }
        String violation = rules.violation(event, UsageRules.arrival(raw.timestamp, clock.millis()));
        if (violation != null) {
            return raw.failed(DeadLetterReason.INVALID, violation, event.getEventId());
        }
        return raw.valid(event);
    }

    @Override
    public TypeInformation<RawRecord> getProducedType() {
        return TypeInformation.of(RawRecord.class);
    }
}
