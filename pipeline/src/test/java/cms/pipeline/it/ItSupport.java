package cms.pipeline.it;

import cms.pipeline.PipelineConfig;
import cms.stack.LocalStackAddresses;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/** What the pipeline ITs share: a run's own topic names, and reading and writing the stack's Kafka. */
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
}
