package cms.api.kafka;

import cms.api.audit.AuditContext;
import cms.api.audit.AuditLog;
import cms.api.audit.AuditRecords;
import cms.api.errors.ApiErrors;
import cms.api.hierarchy.HierarchyModel;
import cms.api.hierarchy.ReferencePublisher;
import cms.avro.AuditRecord;
import cms.avro.CommissionPlan;
import cms.avro.HierarchyChange;
import cms.avro.PriceBookVersion;
import cms.avro.UserVersion;
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
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Publishes reference-data versions to their topics as Confluent-framed Avro, keyed by
 * {@link VersionKeys}, each with its audit record in one Kafka transaction (so a version never
 * exists without the record of who made it, nor the other way round), and waits for the commit
 * before the version enters the read model: a PUT that answered 2xx is durable for the pipeline,
 * which reads the reference topics read_committed. One transaction at a time: a producer holds one.
 */
public final class KafkaReferencePublisher implements ReferencePublisher, Managed {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaReferencePublisher.class);

    private final String bootstrapServers;
    private final AvroSerializer serializer;
    private final HierarchyModel model;
    private final AuditLog audit;
    private final Duration timeout;
    private final int maxRecordBytes;
    private final Clock clock;
    /** Null after a failure until the next write starts a new one. */
    private Producer<String, byte[]> producer;

    /**
     * @param maxRecordBytes the largest record (key and value) this publisher sends; a version that
     *     encodes to more is refused with 413, since the broker would refuse it on every retry. Keep
     *     it below the topics' max.message.bytes (Kafka's default 1,048,588).
     */
    public KafkaReferencePublisher(String bootstrapServers, AvroSerializer serializer, HierarchyModel model, AuditLog audit,
                                   Duration timeout, int maxRecordBytes, Clock clock) {
        this.bootstrapServers = bootstrapServers;
        this.serializer = serializer;
        this.model = model;
        this.audit = audit;
        this.timeout = timeout;
        this.maxRecordBytes = maxRecordBytes;
        this.clock = clock;
    }

    @Override
    public synchronized void start() {
        try {
            producer = newProducer();
        } catch (RuntimeException e) {
            // Kafka down at start: the API still serves reads; each write tries again (and answers 503 meanwhile)
            LOG.error("cannot start the Kafka producer; the first write tries again", e);
        }
    }

    private Producer<String, byte[]> newProducer() {
        Map<String, Object> config = new java.util.HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "cms-api-reference-publisher");
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // one id per API instance and start: instances never fence each other
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "cms-api-" + UUID.randomUUID());
        config.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) Math.max(timeout.toMillis(), 10_000));
        // a PUT must fail within its own timeout rather than block a request thread for a minute
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) timeout.toMillis());
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 10_000));
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        // room for the batch's own header above the largest record send() lets through
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxRecordBytes + 16 * 1024);
        Producer<String, byte[]> p = new KafkaProducer<>(config,
                new StringSerializer(), new ByteArraySerializer());
        p.initTransactions();
        return p;
    }

    @Override
    public synchronized void stop() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
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

    @Override
    public void publish(UserVersion user) {
        send(Topics.USERS, VersionKeys.user(user), user);
        model.apply(user);
    }

    private void send(String topic, String key, SpecificRecord value) {
        Optional<AuditRecord> record = AuditContext.current()
                .map(request -> AuditRecords.of(request, clock.instant(), topic, key, value));
        byte[] bytes = serialize(topic, value);
        int size = bytes.length + key.getBytes(StandardCharsets.UTF_8).length;
        if (size > maxRecordBytes) {
            throw new WebApplicationException("body: this version encodes to " + size + " bytes; a reference record holds at most "
                    + maxRecordBytes, Response.Status.REQUEST_ENTITY_TOO_LARGE);
        }
        byte[] auditBytes = record.map(r -> serialize(Topics.AUDIT, r)).orElse(null);
        synchronized (this) {
            try {
                if (producer == null) {
                    producer = newProducer();
                }
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(topic, key, bytes));
                if (auditBytes != null) {
                    producer.send(new ProducerRecord<>(Topics.AUDIT, VersionKeys.audit(record.get()), auditBytes));
                }
                producer.commitTransaction(); // flushes, and fails when a send did
            } catch (RuntimeException e) {
                LOG.error("cannot publish {} to {}", key, topic, e);
                renew();
                throw ApiErrors.unavailable("Kafka did not acknowledge the write; retry (PUTs are idempotent)");
            }
        }
        record.ifPresent(audit::apply);
    }

    /** After a failed transaction: a fresh producer, since some failures leave the old one unusable. */
    private void renew() {
        try {
            if (producer != null) {
                producer.close(Duration.ZERO);
            }
        } catch (RuntimeException ignored) {
            // closing what failed
        }
        producer = null; // the next write starts a new one
    }

    private byte[] serialize(String topic, SpecificRecord value) {
        try {
            return serializer.serialize(topic, value);
        } catch (SchemaRegistryException e) {
            LOG.error("schema registry refused the {} schema for {}", value.getSchema().getFullName(), topic, e);
            throw ApiErrors.unavailable("the schema registry refused the write; nothing was changed");
        } catch (RuntimeException e) {
            LOG.error("cannot serialize for {}", topic, e);
            throw ApiErrors.unavailable("the schema registry is unavailable; nothing was changed, retry later");
        }
    }
}
