package cms.api.kafka;

import cms.api.errors.ApiErrors;
import cms.api.hierarchy.HierarchyModel;
import cms.api.hierarchy.ReferencePublisher;
import cms.avro.CommissionPlan;
import cms.avro.HierarchyChange;
import cms.avro.PriceBookVersion;
import cms.registry.SchemaRegistryException;
import cms.topics.Topics;
import cms.topics.VersionKeys;
import cms.wire.AvroSerializer;
import io.dropwizard.lifecycle.Managed;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Publishes reference-data versions to their topics as Confluent-framed Avro, keyed by
 * {@link VersionKeys}, and waits for the broker's acknowledgement (acks=all, idempotent producer)
 * before the version enters the read model: a PUT that answered 2xx is durable for the pipeline.
 */
public final class KafkaReferencePublisher implements ReferencePublisher, Managed {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaReferencePublisher.class);

    private final String bootstrapServers;
    private final AvroSerializer serializer;
    private final HierarchyModel model;
    private final Duration timeout;
    private final int maxRecordBytes;
    private volatile Producer<String, byte[]> producer;

    /**
     * @param maxRecordBytes the largest record (key and value) this publisher sends; a version that
     *     encodes to more is refused with 413, since the broker would refuse it on every retry. Keep
     *     it below the topics' max.message.bytes (Kafka's default 1,048,588).
     */
    public KafkaReferencePublisher(String bootstrapServers, AvroSerializer serializer, HierarchyModel model, Duration timeout,
                                   int maxRecordBytes) {
        this.bootstrapServers = bootstrapServers;
        this.serializer = serializer;
        this.model = model;
        this.timeout = timeout;
        this.maxRecordBytes = maxRecordBytes;
    }

    @Override
    public void start() {
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.CLIENT_ID_CONFIG, "cms-api-reference-publisher",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                // a PUT must fail within its own timeout rather than block a request thread for a minute
                ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) timeout.toMillis(),
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeout.toMillis(),
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 10_000),
                ProducerConfig.LINGER_MS_CONFIG, 0,
                // room for the batch's own header above the largest record send() lets through
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxRecordBytes + 16 * 1024),
                new StringSerializer(), new ByteArraySerializer());
    }

    @Override
    public void stop() {
        Producer<String, byte[]> p = producer;
        if (p != null) {
            p.close(Duration.ofSeconds(5));
        }
    }

    @Override
    public void publish(HierarchyChange change) {
        send(Topics.HIERARCHY, VersionKeys.hierarchy(change), change);
        model.apply(change);
    }

    @Override
    public void publish(PriceBookVersion version) {
        send(Topics.PRICE_BOOKS, VersionKeys.priceBook(version), version);
        model.apply(version);
    }

    @Override
    public void publish(CommissionPlan plan) {
        send(Topics.COMMISSION_PLANS, VersionKeys.commissionPlan(plan), plan);
        model.apply(plan);
    }

    private void send(String topic, String key, SpecificRecord value) {
        byte[] bytes;
        try {
            bytes = serializer.serialize(topic, value);
        } catch (SchemaRegistryException e) {
            LOG.error("schema registry refused the {} schema for {}", value.getSchema().getFullName(), topic, e);
            throw ApiErrors.unavailable("the schema registry refused the write; nothing was changed");
        } catch (RuntimeException e) {
            LOG.error("cannot serialize {} for {}", key, topic, e);
            throw ApiErrors.unavailable("the schema registry is unavailable; nothing was changed, retry later");
        }
        int size = bytes.length + key.getBytes(StandardCharsets.UTF_8).length;
        if (size > maxRecordBytes) {
            throw new WebApplicationException("body: this version encodes to " + size + " bytes; a reference record holds at most "
                    + maxRecordBytes, Response.Status.REQUEST_ENTITY_TOO_LARGE);
        }
        try {
            producer.send(new ProducerRecord<>(topic, key, bytes)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiErrors.unavailable("interrupted while writing to Kafka; retry");
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.error("cannot publish {} to {}", key, topic, e);
            throw ApiErrors.unavailable("Kafka did not acknowledge the write; retry (PUTs are idempotent)");
        }
    }
}
