package cms.pipeline.hierarchy;

import cms.avro.CommissionPlan;
import cms.avro.HierarchyChange;
import cms.avro.PriceBookVersion;
import cms.pipeline.model.ReferenceUpdate;
import cms.registry.SchemaRegistryClient;
import cms.wire.AvroDeserializer;
import cms.wire.UndecodableRecordException;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes the three reference-data topics (written by our own API) into {@link ReferenceUpdate}s.
 * A record that cannot be decoded, or a tombstone, is skipped with an error log: it is not usage, so
 * it has no place in the usage dead-letter topic, and stopping the job would stop all rating.
 */
public final class ReferenceDeserializationSchema implements KafkaRecordDeserializationSchema<ReferenceUpdate> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ReferenceDeserializationSchema.class);

    private final SchemaRegistryClient.Config registry;
    private final String hierarchyTopic;
    private final String priceBookTopic;
    private final String commissionPlanTopic;
    private transient AvroDeserializer<HierarchyChange> hierarchy;
    private transient AvroDeserializer<PriceBookVersion> priceBooks;
    private transient AvroDeserializer<CommissionPlan> plans;

    public ReferenceDeserializationSchema(SchemaRegistryClient.Config registry, String hierarchyTopic, String priceBookTopic,
                                          String commissionPlanTopic) {
        this.registry = registry;
        this.hierarchyTopic = hierarchyTopic;
        this.priceBookTopic = priceBookTopic;
        this.commissionPlanTopic = commissionPlanTopic;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        SchemaRegistryClient client = new SchemaRegistryClient(registry);
        hierarchy = new AvroDeserializer<>(client, HierarchyChange.class);
        priceBooks = new AvroDeserializer<>(client, PriceBookVersion.class);
        plans = new AvroDeserializer<>(client, CommissionPlan.class);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ReferenceUpdate> out) {
        if (record.value() == null) {
            return;
        }
        try {
            String topic = record.topic();
            if (topic.equals(hierarchyTopic)) {
                out.collect(ReferenceUpdate.of(hierarchy.deserialize(record.value())));
            } else if (topic.equals(priceBookTopic)) {
                out.collect(ReferenceUpdate.of(priceBooks.deserialize(record.value())));
            } else if (topic.equals(commissionPlanTopic)) {
                out.collect(ReferenceUpdate.of(plans.deserialize(record.value())));
            } else {
                LOG.error("record from unexpected topic {} skipped", topic);
            }
        } catch (UndecodableRecordException e) {
            LOG.error("reference record {}-{}@{} skipped, it cannot be decoded: {}", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
        }
    }

    @Override
    public TypeInformation<ReferenceUpdate> getProducedType() {
        return TypeInformation.of(ReferenceUpdate.class);
    }
}
