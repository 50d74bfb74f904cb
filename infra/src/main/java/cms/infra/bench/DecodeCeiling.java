package cms.infra.bench;

import cms.avro.UsageEvent;
import cms.registry.SchemaRegistryClient;
import cms.wire.AvroDeserializer;
import cms.wire.UndecodableRecordException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The ceiling the pipeline is measured against: how fast the usage topic can merely be consumed
 * from Kafka and decoded with our deserializer, with nothing else done. Reads the given
 * partitions from the beginning up to their end offsets at the start, in {@code threads}
 * consumers, and reports records per second.
 */
public final class DecodeCeiling {
    /** Records read, how many decoded, and the wall time. */
    public record Result(long records, long decoded, Duration took, int threads) {
        public double ratePerSecond() {
            return records / Math.max(0.001, took.toNanos() / 1e9);
        }
    }

    private DecodeCeiling() {}

    public static Result measure(String bootstrap, String registryUrl, String topic, int partitions, int threads) throws Exception {
        SchemaRegistryClient registry = new SchemaRegistryClient(SchemaRegistryClient.Config.of(registryUrl));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long began = System.nanoTime();
        try {
            List<Future<long[]>> parts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                List<TopicPartition> mine = new ArrayList<>();
                for (int p = t; p < partitions; p += threads) {
                    mine.add(new TopicPartition(topic, p));
                }
                parts.add(pool.submit(() -> readAll(bootstrap, mine, new AvroDeserializer<>(registry, UsageEvent.class))));
            }
            long records = 0;
            long decoded = 0;
            for (Future<long[]> f : parts) {
                long[] r = f.get();
                records += r[0];
                decoded += r[1];
            }
            return new Result(records, decoded, Duration.ofNanos(System.nanoTime() - began), threads);
        } finally {
            pool.shutdownNow();
        }
    }

    private static long[] readAll(String bootstrap, List<TopicPartition> partitions, AvroDeserializer<UsageEvent> deserializer) {
        if (partitions.isEmpty()) {
            return new long[] {0, 0};
        }
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(64 << 20));
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(16 << 20));
        long records = 0;
        long decoded = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long target = 0;
            for (TopicPartition tp : partitions) {
                target += end.get(tp) - consumer.position(tp);
            }
            while (records < target) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    records++;
                    try {
                        if (deserializer.deserialize(r.value()) != null) {
                            decoded++;
                        }
                    } catch (UndecodableRecordException bad) {
                        // counted as read, as the pipeline would count a dead letter
                    }
                }
            }
        }
        return new long[] {records, decoded};
    }
}
