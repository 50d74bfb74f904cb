package cms.pipeline.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What an output topic and our producer refuse, judged before a record is sent, with the producer's own
 * size arithmetic and the topic's own configuration: a record the producer or the broker refuses fails the
 * exactly-once Kafka sink (an asynchronous send error fails the job, and its transaction cannot be saved),
 * so the output operators dead-letter such a record instead (UNDELIVERABLE) and send only what passes.
 */
public final class TopicLimits implements Serializable {
    private static final long serialVersionUID = 1L;
    /**
     * How long a record can wait in the producer before the broker appends it and judges its timestamp (the
     * producer's delivery.timeout.ms, left at its default): a timestamp this close to the past limit is refused.
     */
    static final long DELIVERY_MARGIN_MS = 120_000;
    /** The rated producer's max.request.size: Kafka's default, which the rated topic's default max.message.bytes also takes. */
    public static final int RATED_MAX_REQUEST_SIZE = 1 << 20;
    /** The dead-letter producer's max.request.size: what the dead-letter topic is made to take. */
    public static final int DEAD_LETTER_MAX_REQUEST_SIZE = cms.topics.Topics.DEAD_LETTER_MAX_MESSAGE_BYTES;

    private final String topic;
    private final int maxRequestSize;
    private final int maxMessageBytes;
    private final boolean createTime;
    private final long afterMaxMs;
    private final long beforeMaxMs;

    public TopicLimits(String topic, int maxRequestSize, int maxMessageBytes, boolean createTime, long afterMaxMs, long beforeMaxMs) {
        this.topic = topic;
        this.maxRequestSize = maxRequestSize;
        this.maxMessageBytes = maxMessageBytes;
        this.createTime = createTime;
        this.afterMaxMs = afterMaxMs;
        this.beforeMaxMs = beforeMaxMs;
    }

    /** The topic's effective configuration (its own settings, else the broker's defaults); a broker that does not answer is an exception (retried). */
    public static TopicLimits read(String bootstrap, String topic, int maxRequestSize) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config c = admin.describeConfigs(List.of(resource)).all().get(60, TimeUnit.SECONDS).get(resource);
            return new TopicLimits(topic, maxRequestSize,
                    Integer.parseInt(value(c, TopicConfig.MAX_MESSAGE_BYTES_CONFIG)),
                    "CreateTime".equals(value(c, TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG)),
                    Long.parseLong(value(c, TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG)),
                    Long.parseLong(value(c, TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG)));
        }
    }

    private static String value(Config c, String name) {
        ConfigEntry e = c.get(name);
        if (e == null || e.value() == null) {
            throw new IllegalStateException("the broker did not say the topic's " + name);
        }
        return e.value();
    }

    public String topic() {
        return topic;
    }

    /** The largest record the producer and the topic both take: the producer's estimate of its batch must not exceed it. */
    public int maxRecordBytes() {
        return Math.min(maxRequestSize, maxMessageBytes);
    }

    /**
     * Why the producer or the broker would refuse this record, or null: its single-record batch over the
     * producer's max.request.size or the topic's max.message.bytes, or (CreateTime topics) its timestamp
     * more than message.timestamp.after.max.ms ahead of {@code now} or about to be more than
     * message.timestamp.before.max.ms behind. {@code timestamp} null: the producer stamps it at send.
     */
    public String refusal(byte[] key, byte[] value, Long timestamp, long now) {
        // what KafkaProducer.send checks against max.request.size; the broker checks the batch (no compression here)
        int size = AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE, CompressionType.NONE, key, value,
                Record.EMPTY_HEADERS);
        if (size > maxRequestSize) {
            return "a record of " + size + " bytes (key " + length(key) + ", value " + length(value)
                    + ") is over the producer's max.request.size " + maxRequestSize;
        }
        if (size > maxMessageBytes) {
            return "a record of " + size + " bytes (key " + length(key) + ", value " + length(value)
                    + ") is over the topic's max.message.bytes " + maxMessageBytes;
        }
        if (timestamp != null && createTime) {
            if (timestamp - now > afterMaxMs) {
                return "timestamp " + Instant.ofEpochMilli(timestamp) + " is more than message.timestamp.after.max.ms "
                        + Duration.ofMillis(afterMaxMs) + " after the broker's time " + Instant.ofEpochMilli(now);
            }
            if (now - timestamp > beforeMaxMs - DELIVERY_MARGIN_MS) {
                return "timestamp " + Instant.ofEpochMilli(timestamp) + " is (within " + Duration.ofMillis(DELIVERY_MARGIN_MS)
                        + ") more than message.timestamp.before.max.ms " + Duration.ofMillis(beforeMaxMs) + " before the broker's time "
                        + Instant.ofEpochMilli(now);
            }
        }
        return null;
    }

    private static int length(byte[] b) {
        return b == null ? 0 : b.length;
    }

    @Override
    public String toString() {
        return topic + ": records up to " + maxRecordBytes() + " bytes" + (createTime ? ", timestamps from now - "
                + Duration.ofMillis(beforeMaxMs) + " to now + " + Duration.ofMillis(afterMaxMs) : "");
    }
}
