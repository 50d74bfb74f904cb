package cms.pipeline.model;

import org.apache.flink.api.common.typeinfo.TypeInfo;

import cms.avro.UsageEvent;

/**
 * A usage event that decoded and passed validation, with where it came from (coordinates and bytes,
 * so any later stage can still dead-letter it) and its partition watermark.
 */
@TypeInfo(ValidUsageSerializer.Factory.class)
public class ValidUsage {
    public UsageEvent event;
    public RawRecord source;
    /**
     * The maximum valid eventTime of the record's Kafka partition before this record, minus the
     * out-of-orderness; Long.MIN_VALUE when it is the partition's first valid record. A function of
     * the partition's prefix alone, so every run, restore and replay gives a record the same value
     * (see the ingest stage's PartitionWatermarkFunction).
     */
    public long partitionWatermark = Long.MIN_VALUE;

    public ValidUsage() {}

    public ValidUsage(UsageEvent event, RawRecord source) {
        this.event = event;
        this.source = source;
    }

    public ValidUsage(UsageEvent event, RawRecord source, long partitionWatermark) {
        this.event = event;
        this.source = source;
        this.partitionWatermark = partitionWatermark;
    }

    @Override
    public String toString() {
        return event.getEventId() + " from " + source;
    }
}
