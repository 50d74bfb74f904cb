package cms.pipeline.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * One Kafka record exactly as it was read: coordinates and untouched bytes. Decoding happens in an
 * operator, so that a record that does not decode becomes a dead letter instead of a source failure.
 * A Flink POJO (public fields, no-arg constructor).
 */
public class RawRecord {
    public String topic;
    public int partition;
    public long offset;
    /** The Kafka record timestamp, epoch millis. */
    public long timestamp;
    public byte[] key;
    public byte[] value;

    public RawRecord() {}

    public RawRecord(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
        this.key = key;
        this.value = value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawRecord r && partition == r.partition && offset == r.offset && timestamp == r.timestamp
                && Objects.equals(topic, r.topic) && Arrays.equals(key, r.key) && Arrays.equals(value, r.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, partition, offset);
    }

    @Override
    public String toString() {
        return topic + "-" + partition + "@" + offset;
    }
}
