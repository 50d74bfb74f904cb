package cms.pipeline.model;

/**
 * Operator (union list) state of the partition-watermark stage: the maximum valid eventTime seen so
 * far in one Kafka partition. A Flink POJO.
 */
public class PartitionProgress {
    public String topic;
    public int partition;
    public long maxEventTime;

    public PartitionProgress() {}

    public PartitionProgress(String topic, int partition, long maxEventTime) {
        this.topic = topic;
        this.partition = partition;
        this.maxEventTime = maxEventTime;
    }

    @Override
    public String toString() {
        return topic + "-" + partition + ":" + maxEventTime;
    }
}
