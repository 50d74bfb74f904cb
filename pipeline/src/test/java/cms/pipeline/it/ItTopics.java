package cms.pipeline.it;

import cms.pipeline.job.PipelineConfig;
import cms.topics.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The integration tests' own topics, created with the topic-level configuration of the contract's topic they stand
 * for (Topics.all), so that they behave as the product's do: retention above all (see Topics.USAGE_CONFIG).
 */
final class ItTopics {
    /** The contract topic each PipelineConfig topic key stands for. */
    private static final Map<String, String> CONTRACT_TOPIC = Map.of(
            PipelineConfig.USAGE_TOPIC, Topics.USAGE,
            PipelineConfig.RATED_TOPIC, Topics.RATED,
            PipelineConfig.DEAD_LETTER_TOPIC, Topics.DEAD_LETTER,
            PipelineConfig.HIERARCHY_TOPIC, Topics.HIERARCHY,
            PipelineConfig.PRICE_BOOK_TOPIC, Topics.PRICE_BOOKS,
            PipelineConfig.COMMISSION_PLAN_TOPIC, Topics.COMMISSION_PLANS);

    /** Topic {@code name} standing for the one of PipelineConfig key {@code key}, with that one's configuration. */
    static NewTopic of(String key, String name, int partitions) {
        return of(key, name, partitions, 1, 1);
    }

    /** The same on a cluster: {@code replication} replicas, {@code minInSync} of them in sync for a write (min.insync.replicas). */
    static NewTopic of(String key, String name, int partitions, int replication, int minInSync) {
        String contract = CONTRACT_TOPIC.get(key);
        if (contract == null) {
            throw new IllegalArgumentException("not a topic key: " + key);
        }
        Map<String, String> config = new HashMap<>(Topics.config(contract));
        if (replication > 1) {
            config.put("min.insync.replicas", Integer.toString(minInSync));
        }
        return new NewTopic(name, partitions, (short) replication).configs(config);
    }

    /**
     * Records older than their topic's retention.ms by their own timestamp, per partition: the broker deletes a segment
     * as soon as its newest timestamp is that old, at its next retention check (every log.retention.check.interval.ms,
     * 5 minutes by default). A segment rolls whenever a record's timestamp is segment.ms (7 days) past the segment's
     * first, so a month of event-time stamped records leaves whole segments of them behind the commit markers, and a
     * reader coming minutes later finds fewer records than were committed. Empty when none is due.
     */
    static List<String> dueForDeletion(String bootstrap, List<String> topics) throws Exception {
        Map<String, Long> retention = new HashMap<>();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            List<ConfigResource> resources = topics.stream().map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
            admin.describeConfigs(resources).all().get().forEach((r, c) -> retention.put(r.name(), Long.parseLong(c.get("retention.ms").value())));
        }
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<String> due = new ArrayList<>();
        long now = System.currentTimeMillis();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            for (String topic : topics) {
                long keep = retention.get(topic);
                List<TopicPartition> partitions = c.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
                c.assign(partitions);
                c.seekToBeginning(partitions);
                Map<TopicPartition, Long> end = c.endOffsets(partitions);
                Map<TopicPartition, long[]> old = new TreeMap<>(java.util.Comparator.comparing(TopicPartition::toString));
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (partitions.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("could not read " + topic + " to its end within 60 s");
                    }
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                        if (keep >= 0 && r.timestamp() < now - keep) {
                            long[] o = old.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), k -> new long[] {0, Long.MAX_VALUE});
                            o[0]++;
                            o[1] = Math.min(o[1], r.timestamp());
                        }
                    }
                }
                old.forEach((tp, o) -> due.add(tp + ": " + o[0] + " records stamped before the retention.ms " + keep
                        + " (oldest " + Instant.ofEpochMilli(o[1]) + ")"));
            }
        }
        return due;
    }

    private ItTopics() {}
}
