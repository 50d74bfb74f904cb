package cms.pipeline.hierarchy;

import cms.pipeline.model.ReferenceUpdate;
import cms.registry.SchemaRegistryClient;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The job's {@link ReferenceSnapshot}: everything the reference-data topics hold when a rating task starts, read
 * directly with a plain consumer before the task rates anything. The broadcast stream delivers the same versions (and
 * every later one) too, but concurrently with usage: without this snapshot, a fresh start or a full
 * replay could see usage before the lineage it needs, hold it for the grace period, and book it
 * differently from the first run. Versions are keyed, so reading one twice is harmless.
 */
public final class KafkaReferenceSnapshot implements ReferenceSnapshot {
    private static final long serialVersionUID = 1L;

    private final String kafkaBootstrap;
    private final SchemaRegistryClient.Config registry;
    private final List<String> topics;
    private final Duration timeout;

    public KafkaReferenceSnapshot(String kafkaBootstrap, SchemaRegistryClient.Config registry, String hierarchyTopic,
                             String priceBookTopic, String commissionPlanTopic, Duration timeout) {
        this.kafkaBootstrap = kafkaBootstrap;
        this.registry = registry;
        this.topics = List.of(hierarchyTopic, priceBookTopic, commissionPlanTopic);
        this.timeout = timeout;
    }

    /** Every record of the three topics up to their end offsets at the time of the call. */
    @Override
    public List<ReferenceUpdate> read() throws IOException {
        ReferenceDeserializationSchema schema = new ReferenceDeserializationSchema(registry, topics.get(0), topics.get(1), topics.get(2));
        schema.open(null);
        List<ReferenceUpdate> out = new ArrayList<>();
        Collector<ReferenceUpdate> collector = new Collector<>() {
            @Override
            public void collect(ReferenceUpdate record) {
                out.add(record);
            }

            @Override
            public void close() {}
        };
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                consumer.partitionsFor(topic, timeout).forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!caughtUp(consumer, partitions, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("reading the reference data " + topics + " took longer than " + timeout);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(r -> schema.deserialize(r, collector));
            }
        }
        return out;
    }

    private static boolean caughtUp(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions, Map<TopicPartition, Long> end) {
        for (TopicPartition tp : partitions) {
            if (consumer.position(tp) < end.get(tp)) {
                return false;
            }
        }
        return true;
    }
}
