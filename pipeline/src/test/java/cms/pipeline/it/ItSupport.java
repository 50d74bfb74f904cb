package cms.pipeline.it;

import cms.pipeline.job.PipelineConfig;
import cms.stack.LocalStackAddresses;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import cms.avro.NodeLevel;
import cms.cassandra.CassandraSchema;
import cms.cassandra.DerivedWindows;
import cms.cassandra.FamilyRollups;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/** What the pipeline ITs share: a run's own topic names, reading and writing the stack's Kafka, reading its roll-ups. */
final class ItSupport {
    private ItSupport() {}

    /** The six topic keys of the job, each to a topic of the run's own. */
    static Map<String, String> topics(String run) {
        return Map.of(
                PipelineConfig.USAGE_TOPIC, "it." + run + ".usage",
                PipelineConfig.RATED_TOPIC, "it." + run + ".rated",
                PipelineConfig.DEAD_LETTER_TOPIC, "it." + run + ".dead-letter",
                PipelineConfig.HIERARCHY_TOPIC, "it." + run + ".hierarchy",
                PipelineConfig.PRICE_BOOK_TOPIC, "it." + run + ".price-books",
                PipelineConfig.COMMISSION_PLAN_TOPIC, "it." + run + ".commission-plans");
    }

    /** The run's topics as the product creates them (ItTopics), the usage and rated ones with two partitions. */
    static void createTopics(String bootstrap, Map<String, String> topics) throws Exception {
        createTopics(bootstrap, topics, 1, 1);
    }

    /** The run's topics on a cluster: replication factor {@code replication}, min.insync.replicas {@code minInSync}. */
    static void createTopics(String bootstrap, Map<String, String> topics, int replication, int minInSync) throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                Map.<String, Object>of(org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            List<org.apache.kafka.clients.admin.NewTopic> created = new ArrayList<>();
            for (Map.Entry<String, String> t : topics.entrySet()) {
                boolean two = t.getKey().equals(PipelineConfig.USAGE_TOPIC) || t.getKey().equals(PipelineConfig.RATED_TOPIC);
                created.add(ItTopics.of(t.getKey(), t.getValue(), two ? 2 : 1, replication, minInSync));
            }
            admin.createTopics(created).all().get();
        }
    }

    /**
     * The records of {@code topic} not yet covered by {@code group}'s committed offsets (the job commits them at
     * checkpoints); Long.MAX_VALUE when Kafka does not answer.
     */
    static long committedLag(String bootstrap, String group, String topic) {
        Properties p = new Properties();
        p.put(org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(org.apache.kafka.clients.admin.AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(org.apache.kafka.clients.admin.AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(p)) {
            Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(30, java.util.concurrent.TimeUnit.SECONDS);
            Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new java.util.HashMap<>();
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(30, java.util.concurrent.TimeUnit.SECONDS)
                    .get(topic).partitions().size();
            for (int i = 0; i < partitions; i++) {
                latest.put(new TopicPartition(topic, i), org.apache.kafka.clients.admin.OffsetSpec.latest());
            }
            long lag = 0;
            for (var e : admin.listOffsets(latest).all().get(30, java.util.concurrent.TimeUnit.SECONDS).entrySet()) {
                var c = committed.get(e.getKey());
                lag += e.getValue().offset() - (c == null ? 0 : c.offset());
            }
            return lag;
        } catch (Exception e) {
            return Long.MAX_VALUE;
        }
    }

    /** An idempotent producer of bytes; {@code maxRequestSize} its max.request.size. */
    static KafkaProducer<byte[], byte[]> producer(LocalStackAddresses stack, int maxRequestSize) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(maxRequestSize));
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Committed records of a topic (read_committed: what exactly-once consumers see), read for at most 10 s. */
    static List<ConsumerRecord<byte[], byte[]>> committed(LocalStackAddresses stack, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = c.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = c.endOffsets(partitions);
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            long deadline = System.currentTimeMillis() + 10_000;
            while (System.currentTimeMillis() < deadline && partitions.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            return out;
        }
    }

    /** One stored roll-up window: a node's own (child "") or its row in its parent's by-child breakdown. */
    record StoredRow(String level, String nodeId, String granularity, long windowStart, String childId, String meterId, String currency,
                     String status, long eventCount, BigDecimal quantity, BigDecimal amount, BigDecimal partnerCommission,
                     BigDecimal distributorCommission, long adjustmentCount, BigDecimal adjustmentAmount) {
        String key() {
            return Scenario.key(level, nodeId, granularity, windowStart, childId, meterId, currency);
        }

        String values() {
            return Scenario.values(status, eventCount, quantity, amount, adjustmentCount, adjustmentAmount);
        }
    }

    /**
     * Every roll-up window stored in the keyspace, as the API serves them: each row of family_rollups is its
     * member's own window (a distributor's own when the member is "") and a row of its family head's by-child
     * breakdown; the parts of a window (per parent, per writer) are added up as the API adds them.
     */
    static List<StoredRow> storedRows(CqlSession cassandra, String keyspace) {
        List<FamilyPart> parts = new ArrayList<>();
        for (Row r : cassandra.execute("SELECT level, node_id, granularity, child_id, window_start, meter_id, currency, via, "
                + FamilyRollups.VALUE_COLUMNS + " FROM " + keyspace + "." + CassandraSchema.FAMILY_ROLLUPS)) {
            parts.add(new FamilyPart(r.getString("level"), r.getString("node_id"), r.getString("granularity"), FamilyRollups.Part.of(r)));
        }
        return storedRows(parts);
    }

    /** One row of family_rollups: the family head (level, node), the granularity, and the part of a window it holds. */
    record FamilyPart(String family, String head, String granularity, FamilyRollups.Part part) {}

    /** The windows the rows of family_rollups make up, as {@link #storedRows(CqlSession, String)} reads them. */
    static List<StoredRow> storedRows(List<FamilyPart> stored) {
        List<FamilyPart> rows = withDerivedDays(stored);
        Map<List<String>, List<FamilyRollups.Part>> own = new TreeMap<>(Comparator.comparing(Object::toString));
        Map<List<String>, List<FamilyRollups.Part>> byChild = new TreeMap<>(Comparator.comparing(Object::toString));
        for (FamilyPart row : rows) {
            FamilyRollups.Part part = row.part();
            String family = row.family();
            String head = row.head();
            String granularity = row.granularity();
            if (part.childId().equals(FamilyRollups.OWN)) {
                own.computeIfAbsent(List.of(family, head, granularity), k -> new ArrayList<>()).add(part);
            } else {
                String memberLevel = memberLevel(family);
                own.computeIfAbsent(List.of(memberLevel, part.childId(), granularity), k -> new ArrayList<>()).add(part.as(FamilyRollups.OWN));
                byChild.computeIfAbsent(List.of(family, head, granularity), k -> new ArrayList<>()).add(part);
            }
        }
        List<StoredRow> out = new ArrayList<>();
        for (Map<List<String>, List<FamilyRollups.Part>> view : List.of(own, byChild)) {
            view.forEach((node, parts) -> {
                for (FamilyRollups.Part p : FamilyRollups.combine(parts)) {
                    out.add(new StoredRow(node.get(0), node.get(1), node.get(2), p.windowStart().toEpochMilli(), p.childId(), p.meterId(),
                            p.currency(), p.status(), p.eventCount(), p.quantity(), p.amount(), p.partnerCommission(),
                            p.distributorCommission(), p.adjustmentCount(), p.adjustmentAmount()));
                }
            });
        }
        return out;
    }

    /**
     * The DAY windows as the API serves them ({@link DerivedWindows#days}): a member's day with a FINAL DAY row from its
     * DAY rows, any other day summed from its HOUR rows (the pipeline writes no OPEN DAY rows); the other rows as stored.
     */
    private static List<FamilyPart> withDerivedDays(List<FamilyPart> rows) {
        Map<List<String>, List<FamilyRollups.Part>> days = new LinkedHashMap<>();
        Map<List<String>, List<FamilyRollups.Part>> hours = new LinkedHashMap<>();
        List<FamilyPart> out = new ArrayList<>();
        for (FamilyPart r : rows) {
            List<String> family = List.of(r.family(), r.head());
            if (r.granularity().equals("DAY")) {
                days.computeIfAbsent(family, k -> new ArrayList<>()).add(r.part());
                continue;
            }
            if (r.granularity().equals("HOUR")) {
                hours.computeIfAbsent(family, k -> new ArrayList<>()).add(r.part());
            }
            out.add(r);
        }
        Set<List<String>> families = new LinkedHashSet<>(days.keySet());
        families.addAll(hours.keySet());
        for (List<String> family : families) {
            for (FamilyRollups.Part day : DerivedWindows.days(days.getOrDefault(family, List.of()), hours.getOrDefault(family, List.of()))) {
                out.add(new FamilyPart(family.get(0), family.get(1), "DAY", day));
            }
        }
        return out;
    }

    /**
     * The job's keys for a run under faults (FaultSuiteIT, ClusterFaults): the run's topics, keyspace, consumer group and
     * transactional ids ({@code id}), the scenario's lateness and out-of-orderness, no partition idle while a fault holds
     * the job up (that would make usage late), short refreshes and checkpoints. Sorted: the cluster job's arguments.
     */
    static Map<String, String> faultJobOptions(Map<String, String> topics, String keyspace, String id) {
        Map<String, String> o = new TreeMap<>(topics);
        o.put(PipelineConfig.KEYSPACE, keyspace);
        o.put(PipelineConfig.CONSUMER_GROUP, id);
        o.put(PipelineConfig.TRANSACTIONAL_ID_PREFIX, id);
        o.put(PipelineConfig.ALLOWED_LATENESS, "1h");
        o.put(PipelineConfig.OUT_OF_ORDERNESS, Scenario.OUT_OF_ORDERNESS.toMinutes() + "min");
        o.put(PipelineConfig.SOURCE_IDLENESS, "30min");
        o.put(PipelineConfig.UNKNOWN_SUBSCRIPTION_GRACE, "3s");
        o.put(PipelineConfig.REFRESH_INTERVAL, "500ms");
        o.put(PipelineConfig.CHECKPOINT_INTERVAL, "2s");
        return o;
    }

    /** The level of a family's members (the distributor's own row aside). */
    private static String memberLevel(String family) {
        return switch (NodeLevel.valueOf(family)) {
            case TENANT -> "SUBSCRIPTION";
            case PARTNER -> "TENANT";
            case DISTRIBUTOR -> "PARTNER";
            case SUBSCRIPTION -> throw new IllegalStateException("a subscription heads no family");
        };
    }

    /** Every stored roll-up window as "key -> values" (Scenario's form of the expected roll-ups). */
    static Map<String, String> rollupRows(CqlSession cassandra, String keyspace) {
        return rollupRows(storedRows(cassandra, keyspace));
    }

    static Map<String, String> rollupRows(List<StoredRow> rows) {
        Map<String, String> out = new TreeMap<>();
        for (StoredRow r : rows) {
            out.put(r.key(), r.values());
        }
        return out;
    }

    /** Commission per beneficiary and currency over the MONTH windows of partners and distributors, as plain decimals. */
    static Map<String, String> commissions(CqlSession cassandra, String keyspace) {
        return commissions(storedRows(cassandra, keyspace));
    }

    static Map<String, String> commissions(List<StoredRow> rows) {
        Map<String, BigDecimal> sums = new TreeMap<>();
        for (StoredRow r : rows) {
            if (!r.granularity().equals("MONTH") || !r.childId().isEmpty()) {
                continue;
            }
            if (r.level().equals("PARTNER")) {
                sums.merge("PARTNER|" + r.nodeId() + "|" + r.currency(), r.partnerCommission(), BigDecimal::add);
            } else if (r.level().equals("DISTRIBUTOR")) {
                sums.merge("DISTRIBUTOR|" + r.nodeId() + "|" + r.currency(), r.distributorCommission(), BigDecimal::add);
            }
        }
        Map<String, String> out = new TreeMap<>();
        sums.forEach((k, v) -> out.put(k, Scenario.plain(v)));
        return out;
    }

    /** The status of a billing period, null before the job wrote it. */
    static String periodStatus(CqlSession cassandra, String keyspace, String period) {
        Row row = cassandra.execute("SELECT status FROM " + keyspace + ".periods WHERE period = ?", period).one();
        return row == null ? null : row.getString("status");
    }
}
