package cms.api.kafka;

import cms.api.audit.AuditLog;
import cms.api.hierarchy.HierarchyModel;
import cms.avro.AuditRecord;
import cms.avro.CommissionPlan;
import cms.avro.HierarchyChange;
import cms.avro.PriceBookVersion;
import cms.avro.UserVersion;
import cms.registry.SchemaRegistryClient;
import cms.topics.Topics;
import cms.wire.AvroDeserializer;
import io.dropwizard.lifecycle.Managed;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps the read models (hierarchy, books, plans, users; the audit trail) in step with their
 * topics: on start it reads all of them from the
 * beginning to their end (start-up fails if it cannot within the configured time, so the API never
 * answers from a half-loaded hierarchy), then follows them on a thread of its own. No consumer
 * group: every API instance reads everything, and nothing is committed.
 */
public final class ReferenceFeed implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(ReferenceFeed.class);
    private static final List<String> TOPICS = List.of(Topics.HIERARCHY, Topics.PRICE_BOOKS, Topics.COMMISSION_PLANS,
            Topics.USERS, Topics.AUDIT);

    private final String bootstrapServers;
    private final HierarchyModel model;
    private final AvroDeserializer<HierarchyChange> hierarchy;
    private final AvroDeserializer<PriceBookVersion> priceBooks;
    private final AvroDeserializer<CommissionPlan> plans;
    private final AvroDeserializer<UserVersion> users;
    private final AvroDeserializer<AuditRecord> auditRecords;
    private final AuditLog audit;
    private final Duration catchUp;
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile Thread thread;
    private volatile boolean running;
    private volatile Instant lastPoll = Instant.EPOCH;
    private volatile Throwable failure;

    public ReferenceFeed(String bootstrapServers, SchemaRegistryClient registry, HierarchyModel model, AuditLog audit,
                         Duration catchUp) {
        this.users = new AvroDeserializer<>(registry, UserVersion.class);
        this.auditRecords = new AvroDeserializer<>(registry, AuditRecord.class);
        this.audit = audit;
        this.bootstrapServers = bootstrapServers;
        this.model = model;
        this.hierarchy = new AvroDeserializer<>(registry, HierarchyChange.class);
        this.priceBooks = new AvroDeserializer<>(registry, PriceBookVersion.class);
        this.plans = new AvroDeserializer<>(registry, CommissionPlan.class);
        this.catchUp = catchUp;
    }

    @Override
    public void start() {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG, "cms-api-reference-feed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer());
        Instant deadline = Instant.now().plus(catchUp);
        try {
            List<TopicPartition> partitions = partitions(deadline);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.between(Instant.now(), deadline));
            while (!caughtUp(ends)) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("could not read the reference topics to their end within " + catchUp);
                }
                pollOnce();
            }
        } catch (RuntimeException e) {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
            throw e;
        }
        LOG.info("reference topics loaded: {} versions applied, {} skipped", applied.get(), skipped.get());
        running = true;
        thread = new Thread(this::follow, "reference-feed");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void stop() throws InterruptedException {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        Thread t = thread;
        if (t != null) {
            t.join(10_000);
        }
    }

    /** Null while the feed is following its topics; else what stopped it or how long it has been silent. */
    public String problem() {
        if (!running) {
            return "not running" + (failure != null ? ": " + failure : "");
        }
        Duration silent = Duration.between(lastPoll, Instant.now());
        return silent.compareTo(Duration.ofSeconds(30)) > 0 ? "no poll for " + silent.toSeconds() + " s" : null;
    }

    public long appliedCount() {
        return applied.get();
    }

    private void follow() {
        try {
            while (running) {
                pollOnce();
            }
        } catch (WakeupException e) {
            // stop() asked us to end
        } catch (RuntimeException e) {
            failure = e;
            LOG.error("reference feed stopped", e);
        } finally {
            running = false;
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    private void pollOnce() {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
            apply(record);
        }
        lastPoll = Instant.now();
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return; // a tombstone: versions are never deleted by the API, so there is nothing to undo
        }
        try {
            switch (record.topic()) {
                case Topics.HIERARCHY -> model.apply(hierarchy.deserialize(record.value()));
                case Topics.PRICE_BOOKS -> model.apply(priceBooks.deserialize(record.value()));
                case Topics.COMMISSION_PLANS -> model.apply(plans.deserialize(record.value()));
                case Topics.USERS -> model.apply(users.deserialize(record.value()));
                case Topics.AUDIT -> audit.apply(auditRecords.deserialize(record.value()));
                default -> throw new IllegalStateException("unexpected topic " + record.topic());
            }
            applied.incrementAndGet();
        } catch (RuntimeException e) {
            // one unreadable record must not take the hierarchy down; it is counted and logged
            skipped.incrementAndGet();
            LOG.error("skipping unreadable reference record {}-{}@{} key {}", record.topic(), record.partition(),
                    record.offset(), record.key(), e);
        }
    }

    private List<TopicPartition> partitions(Instant deadline) {
        List<TopicPartition> out = new ArrayList<>();
        for (String topic : TOPICS) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.between(Instant.now(), deadline));
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("reference topic " + topic + " does not exist");
            }
            infos.forEach(p -> out.add(new TopicPartition(p.topic(), p.partition())));
        }
        return out;
    }

    private boolean caughtUp(Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            if (consumer.position(end.getKey()) < end.getValue()) {
                return false;
            }
        }
        return true;
    }
}
