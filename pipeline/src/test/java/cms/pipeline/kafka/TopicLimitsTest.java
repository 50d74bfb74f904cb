package cms.pipeline.kafka;

import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TopicLimitsTest {
    private static final long NOW = 1_796_000_000_000L;
    private static final long HOUR = 3_600_000L;

    /** The producer's own estimate of a single-record batch: what KafkaProducer compares with max.request.size. */
    private static int batch(int key, int value) {
        return AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE, CompressionType.NONE,
                new byte[key], new byte[value], Record.EMPTY_HEADERS);
    }

    @Test
    void aRecordAtTheProducersLimitPassesAndOneByteMoreIsRefusedNamingTheLimit() {
        int limit = batch(10, 5000);
        TopicLimits l = new TopicLimits("t", limit, 1 << 20, true, HOUR, Long.MAX_VALUE);
        assertThat(l.refusal(new byte[10], new byte[5000], NOW, NOW)).isNull();
        assertThat(l.refusal(new byte[10], new byte[5001], NOW, NOW)).contains("max.request.size " + limit);
        assertThat(l.refusal(new byte[11], new byte[5000], NOW, NOW)).contains("max.request.size");
    }

    @Test
    void aRecordOverTheTopicsMaxMessageBytesIsRefusedNamingIt() {
        int limit = batch(0, 5000);
        TopicLimits l = new TopicLimits("t", 1 << 20, limit, true, HOUR, Long.MAX_VALUE);
        assertThat(l.refusal(null, new byte[5000], null, NOW)).isNull();
        assertThat(l.refusal(null, new byte[5001], null, NOW)).contains("max.message.bytes " + limit);
        assertThat(l.maxRecordBytes()).isEqualTo(limit);
    }

    @Test
    void timestampsAreJudgedAsTheBrokerWillForCreateTimeTopicsOnly() {
        TopicLimits l = new TopicLimits("t", 1 << 20, 1 << 20, true, HOUR, 7 * 24 * HOUR);
        byte[] v = new byte[10];
        assertThat(l.refusal(null, v, NOW + HOUR, NOW)).isNull();
        assertThat(l.refusal(null, v, NOW + HOUR + 1, NOW)).contains("message.timestamp.after.max.ms");
        // the past limit keeps a margin for the time the record may wait in the producer
        assertThat(l.refusal(null, v, NOW - 7 * 24 * HOUR + TopicLimits.DELIVERY_MARGIN_MS, NOW)).isNull();
        assertThat(l.refusal(null, v, NOW - 7 * 24 * HOUR + TopicLimits.DELIVERY_MARGIN_MS - 1, NOW)).contains("message.timestamp.before.max.ms");
        // unbounded past (the broker default): a timestamp of 1970 passes
        assertThat(new TopicLimits("t", 1 << 20, 1 << 20, true, HOUR, Long.MAX_VALUE).refusal(null, v, 0L, NOW)).isNull();
        // LogAppendTime: the broker stamps the record itself
        assertThat(new TopicLimits("t", 1 << 20, 1 << 20, false, HOUR, HOUR).refusal(null, v, NOW + 10 * HOUR, NOW)).isNull();
        // no timestamp: the producer's own clock
        assertThat(l.refusal(null, v, null, NOW)).isNull();
    }
}
