package cms.pipeline.kafka;

import org.apache.flink.metrics.MetricGroup;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Consumer lag per input partition, as a gauge {@code consumerLag} with labels topic and partition: the partition's
 * committed end (read_committed latest offset) minus the next offset this subtask will read. The connector only
 * reports the sum per reader (pendingRecords). The end offsets are fetched when a gauge is read (a scrape), at most
 * every few seconds; a broker that does not answer leaves the last value.
 */
public final class ConsumerLag implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final long REFRESH_MILLIS = 5_000;

    private final String bootstrap;
    private transient MetricGroup group;
    private transient Map<TopicPartition, Long> next;
    private transient Map<TopicPartition, Long> ends;
    private transient Admin admin;
    private transient long fetchedAt;

    public ConsumerLag(String bootstrap) {
        this.bootstrap = bootstrap;
    }

    public void open(MetricGroup operatorGroup) {
        group = operatorGroup;
        next = new ConcurrentHashMap<>();
        ends = new ConcurrentHashMap<>();
    }

    /** The record at {@code offset} of the partition was read. */
    public void read(String topic, int partition, long offset) {
        TopicPartition tp = new TopicPartition(topic, partition);
        if (next.put(tp, offset + 1) == null) {
            group.addGroup("topic", topic).addGroup("partition", Integer.toString(partition))
                    .gauge("consumerLag", () -> lag(tp));
        }
    }

    private long lag(TopicPartition tp) {
        refresh();
        Long end = ends.get(tp);
        return end == null ? 0 : Math.max(0, end - next.get(tp));
    }

    private synchronized void refresh() {
        long now = System.currentTimeMillis();
        if (now - fetchedAt < REFRESH_MILLIS) {
            return;
        }
        fetchedAt = now;
        try {
            if (admin == null) {
                admin = Admin.create(Map.of("bootstrap.servers", bootstrap, "request.timeout.ms", "2000",
                        "default.api.timeout.ms", "2000"));
            }
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            next.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
            admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(2, TimeUnit.SECONDS)
                    .forEach((tp, info) -> ends.put(tp, info.offset()));
        } catch (Exception e) {
            // the last value stands; the next scrape tries again
        }
    }

    public synchronized void close() {
        if (admin != null) {
            admin.close(java.time.Duration.ofSeconds(1));
            admin = null;
        }
    }
}
