package cms.pipeline.kafka;

import cms.registry.SchemaRegistryClient;
import cms.wire.AvroSerializer;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;

import java.io.Serializable;

/**
 * One Kafka output as its output operator (RatedOutput, DeadLetterOutput) sees it: the topic, what it and our
 * producer take, and the value schema. {@link #open} reads the topic's limits from the broker and registers the
 * schema, once per task start (a broker or registry that does not answer fails the task, which is retried).
 */
public final class KafkaOutput implements Serializable {
    private static final long serialVersionUID = 1L;

    private final SchemaRegistryClient.Config registry;
    private final String topic;
    private final String bootstrap;
    private final int maxRequestSize;
    /** Given by operator tests (no broker, no registry); null: read and registered at open. */
    private final TopicLimits fixedLimits;
    private final Integer fixedSchemaId;

    private KafkaOutput(SchemaRegistryClient.Config registry, String topic, String bootstrap, int maxRequestSize,
                        TopicLimits fixedLimits, Integer fixedSchemaId) {
        this.registry = registry;
        this.topic = topic;
        this.bootstrap = bootstrap;
        this.maxRequestSize = maxRequestSize;
        this.fixedLimits = fixedLimits;
        this.fixedSchemaId = fixedSchemaId;
    }

    /** {@code maxRequestSize}: the max.request.size its producer is given. */
    public static KafkaOutput of(SchemaRegistryClient.Config registry, String topic, String bootstrap, int maxRequestSize) {
        return new KafkaOutput(registry, topic, bootstrap, maxRequestSize, null, null);
    }

    /** Fixed limits and schema id, no broker or registry asked: operator and topology tests. */
    public static KafkaOutput fixed(TopicLimits limits, int schemaId) {
        return new KafkaOutput(SchemaRegistryClient.Config.of("http://127.0.0.1:1"), limits.topic(), null, 0, limits, schemaId);
    }

    public String topic() {
        return topic;
    }

    /** The output opened for records of {@code schema}. */
    Opened open(Schema schema) throws Exception {
        SchemaRegistryClient client = new SchemaRegistryClient(registry);
        TopicLimits limits = fixedLimits != null ? fixedLimits : TopicLimits.read(bootstrap, topic, maxRequestSize);
        int schemaId = fixedSchemaId != null ? fixedSchemaId : SchemaRegistration.register(client, topic, schema);
        return new Opened(limits, new AvroSerializer(client, true), schemaId);
    }

    /** An opened output: its limits, and the Confluent framing of its values with the schema id resolved once. */
    record Opened(TopicLimits limits, AvroSerializer serializer, int schemaId) {
        byte[] encode(IndexedRecord value) {
            return serializer.encode(schemaId, value);
        }
    }
}
