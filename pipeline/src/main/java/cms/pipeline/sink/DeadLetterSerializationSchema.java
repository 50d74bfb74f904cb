package cms.pipeline.sink;

import cms.avro.DeadLetter;
import cms.registry.SchemaRegistryClient;
import cms.topics.Topics;
import cms.wire.AvroSerializer;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetIdentifier;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacetProvider;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/** DeadLetter to cms.usage.dead-letter.v1: key the input record's key, value a Confluent-framed DeadLetter. */
public final class DeadLetterSerializationSchema implements KafkaRecordSerializationSchema<DeadLetter>, KafkaDatasetFacetProvider {
    private static final long serialVersionUID = 1L;

    private final SchemaRegistryClient.Config registry;
    private final String topic;
    private transient AvroSerializer serializer;
    /** The value schema's id, resolved once in open(): asking the client's cache for every record cost 3% of the job. */
    private transient int schemaId;

    public DeadLetterSerializationSchema(SchemaRegistryClient.Config registry) {
        this(registry, Topics.DEAD_LETTER);
    }

    public DeadLetterSerializationSchema(SchemaRegistryClient.Config registry, String topic) {
        this.registry = registry;
        this.topic = topic;
    }

    @Override
    public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) throws InterruptedException {
        SchemaRegistryClient client = new SchemaRegistryClient(registry);
        schemaId = SchemaRegistration.register(client, topic, DeadLetter.getClassSchema());
        serializer = new AvroSerializer(client, true);
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(DeadLetter d, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(topic, null, null, bytes(d.getKey()), serializer.encode(schemaId, d));
    }

    private static byte[] bytes(ByteBuffer b) {
        if (b == null) {
            return null;
        }
        ByteBuffer copy = b.duplicate();
        byte[] out = new byte[copy.remaining()];
        copy.get(out);
        return out;
    }

    /** Names the target topic (the connector's lineage; transaction strategies that list transactions per topic). */
    @Override
    public Optional<KafkaDatasetFacet> getKafkaDatasetFacet() {
        return Optional.of(new DefaultKafkaDatasetFacet(DefaultKafkaDatasetIdentifier.ofTopics(List.of(topic))));
    }
}
