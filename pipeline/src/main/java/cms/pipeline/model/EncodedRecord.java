package cms.pipeline.model;

/**
 * A Kafka record as an output operator encoded and checked it (see the kafka stage's RatedOutput and
 * DeadLetterOutput): the sink sends exactly these bytes, so nothing is left that could fail there.
 * A Flink POJO.
 */
public class EncodedRecord {
    public byte[] key;
    public byte[] value;
    /** The record timestamp, epoch millis; null: the producer's clock at send. */
    public Long timestamp;

    public EncodedRecord() {}

    public EncodedRecord(byte[] key, byte[] value, Long timestamp) {
        this.key = key;
        this.value = value;
        this.timestamp = timestamp;
    }
}
