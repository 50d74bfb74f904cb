package cms.pipeline.sink;

import cms.avro.Lineage;
import cms.avro.RatedUsage;
import cms.pipeline.model.RatedEvent;
import cms.pipeline.rating.Pricing;
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

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** RatedEvent to cms.usage.rated.v1: key the subscription id, value a Confluent-framed RatedUsage. */
public final class RatedUsageSerializationSchema implements KafkaRecordSerializationSchema<RatedEvent>, KafkaDatasetFacetProvider {
    private static final long serialVersionUID = 1L;

    private final SchemaRegistryClient.Config registry;
    private final String topic;
    private transient AvroSerializer serializer;
    /** The value schema's id, resolved once in open(): asking the client's cache for every record cost 3% of the job. */
    private transient int schemaId;

    public RatedUsageSerializationSchema(SchemaRegistryClient.Config registry, String topic) {
        this.registry = registry;
        this.topic = topic;
    }

    public RatedUsageSerializationSchema(SchemaRegistryClient.Config registry) {
        this(registry, Topics.RATED);
    }

    @Override
    public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) throws InterruptedException {
        SchemaRegistryClient client = new SchemaRegistryClient(registry);
        schemaId = SchemaRegistration.register(client, topic, RatedUsage.getClassSchema());
        serializer = new AvroSerializer(client, true);
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(RatedEvent e, KafkaSinkContext context, Long timestamp) {
        byte[] value = serializer.encode(schemaId, toAvro(e));
        return new ProducerRecord<>(topic, null, e.event.getEventTime().toEpochMilli(),
                e.subscriptionId().getBytes(StandardCharsets.UTF_8), value);
    }

    public static RatedUsage toAvro(RatedEvent e) {
        return RatedUsage.newBuilder()
                .setEvent(e.event)
                .setLineage(Lineage.newBuilder()
                        .setSubscriptionId(e.subscriptionId())
                        .setTenantId(e.tenantId)
                        .setPartnerId(e.partnerId)
                        .setDistributorId(e.distributorId)
                        .build())
                .setPriceBookId(e.priceBookId)
                .setPriceBookVersion(Instant.ofEpochMilli(e.priceBookVersion))
                .setCurrency(e.currency)
                .setAmount(e.amount.setScale(Pricing.MONEY_SCALE))
                .setPartnerCommission(e.partnerCommission.setScale(Pricing.MONEY_SCALE))
                .setDistributorCommission(e.distributorCommission.setScale(Pricing.MONEY_SCALE))
                .setPartnerPlanId(e.partnerPlanId)
                .setDistributorPlanId(e.distributorPlanId)
                .setPeriod(e.period)
                .setLateAdjustment(e.lateAdjustment)
                .setBookedPeriod(e.bookedPeriod)
                .build();
    }

    /** Names the target topic (the connector's lineage; transaction strategies that list transactions per topic). */
    @Override
    public Optional<KafkaDatasetFacet> getKafkaDatasetFacet() {
        return Optional.of(new DefaultKafkaDatasetFacet(DefaultKafkaDatasetIdentifier.ofTopics(List.of(topic))));
    }
}
