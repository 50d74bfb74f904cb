package cms.pipeline.model;

import cms.avro.DeadLetterReason;
import cms.avro.UsageEvent;

import java.util.Arrays;
import java.util.Objects;

/**
 * One Kafka usage record exactly as it was read (coordinates and untouched bytes) with the outcome of
 * decoding and validating it at the source: either the valid {@link #event}, or a {@link #failure}
 * (reason code and detail) that makes it a dead letter. Decoding happens in the source's
 * deserialization schema because the source's per-partition watermarks need the event time; it
 * never throws for bad data, so bad records still reach the dead-letter output with their bytes.
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
    /** The decoded usage when it decoded and passed validation; null otherwise (and in the coordinates of a ValidUsage). */
    public UsageEvent event;
    /** Why the record is a dead letter (UNDECODABLE or INVALID); null for valid usage. */
    public DeadLetterReason failure;
    public String failureDetail;
    /** The eventId of a record that decoded but broke a rule; null otherwise. */
    public String failureEventId;

    public RawRecord() {}

    public RawRecord(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
        this.key = key;
        this.value = value;
    }

    /** This record carrying valid usage. */
    public RawRecord valid(UsageEvent usage) {
        this.event = usage;
        return this;
    }

    /** This record as a dead letter: reason, detail and the eventId when it decoded. */
    public RawRecord failed(DeadLetterReason reason, String detail, String eventId) {
        this.failure = reason;
        this.failureDetail = detail;
        this.failureEventId = eventId;
        return this;
    }

    /** True when the record decoded and passed validation. */
    public boolean isValid() {
        return failure == null && event != null;
    }

    /** The coordinates and bytes alone, without the decoding outcome (what a ValidUsage keeps). */
    public RawRecord coordinates() {
        return new RawRecord(topic, partition, offset, timestamp, key, value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawRecord r && partition == r.partition && offset == r.offset && timestamp == r.timestamp
                && Objects.equals(topic, r.topic) && Arrays.equals(key, r.key) && Arrays.equals(value, r.value)
                && Objects.equals(event, r.event) && failure == r.failure && Objects.equals(failureDetail, r.failureDetail)
                && Objects.equals(failureEventId, r.failureEventId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, partition, offset);
    }

    @Override
    public String toString() {
        return topic + "-" + partition + "@" + offset + (failure != null ? " " + failure : "");
    }
}
