package cms.pipeline.kafka;

import cms.avro.DeadLetter;
import cms.avro.DeadLetterReason;
import cms.pipeline.model.EncodedRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;

/**
 * Each dead letter encoded once and checked against what the dead-letter topic and our producer take
 * ({@link TopicLimits}); key the input record's key, value a Confluent-framed DeadLetter, timestamp the
 * producer's. The topic is made to hold a dead letter of any record Kafka's default limit lets in (see
 * Topics.DEAD_LETTER_MAX_MESSAGE_BYTES); on a topic that refuses one all the same, the dead letter is
 * written without the original value (then also without the key), reason UNDELIVERABLE, its detail naming
 * the refusal and the first reason: its coordinates still find the original in the usage topic, and the
 * pipeline never stops on it.
 */
public final class DeadLetterOutput extends ProcessFunction<DeadLetter, EncodedRecord> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterOutput.class);

    private final KafkaOutput output;
    private transient KafkaOutput.Opened opened;
    private transient Counter reduced;
    /** Dead letters written, by the reason they carry (label reason in Prometheus). */
    private transient java.util.EnumMap<DeadLetterReason, Counter> byReason;

    public DeadLetterOutput(KafkaOutput output) {
        this.output = output;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        opened = output.open(DeadLetter.getClassSchema());
        LOG.info("dead-letter output {}", opened.limits());
        reduced = getRuntimeContext().getMetricGroup().counter("deadLettersWithoutOriginal");
        byReason = new java.util.EnumMap<>(DeadLetterReason.class);
        for (DeadLetterReason r : DeadLetterReason.values()) {
            byReason.put(r, getRuntimeContext().getMetricGroup().addGroup("reason", r.name()).counter("deadLetters"));
        }
    }

    @Override
    public void processElement(DeadLetter d, Context ctx, Collector<EncodedRecord> out) {
        long now = ctx.timerService().currentProcessingTime();
        byte[] key = bytes(d.getKey());
        byte[] value = opened.encode(d);
        String refusal = opened.limits().refusal(key, value, null, now);
        if (refusal == null) {
            byReason.get(d.getReason()).inc();
            out.collect(new EncodedRecord(key, value, null));
            return;
        }
        reduced.inc();
        int originalBytes = d.getValue() == null ? 0 : d.getValue().remaining();
        DeadLetter without = DeadLetter.newBuilder(d)
                .setReason(DeadLetterReason.UNDELIVERABLE)
                .setDetail(cms.pipeline.model.DeadLetters.bounded(output.topic() + " refuses the dead letter: " + refusal + "; written without the "
                        + originalBytes + " original value bytes (at the source coordinates); it was " + d.getReason() + ": " + d.getDetail()))
                .setValue(null)
                .build();
        value = opened.encode(without);
        if (opened.limits().refusal(key, value, null, now) != null) {
            // the key alone is too large: the coordinates still find the record
            without.setKey(null);
            key = null;
            value = opened.encode(without);
            String still = opened.limits().refusal(null, value, null, now);
            if (still != null) {
                throw new IllegalStateException(output.topic() + " refuses even a dead letter without key and value (" + still
                        + "): its max.message.bytes is set far too low");
            }
        }
        LOG.warn("dead letter of {}-{}@{} written without its original bytes: {}", d.getSourceTopic(), d.getSourcePartition(),
                d.getSourceOffset(), refusal);
        byReason.get(DeadLetterReason.UNDELIVERABLE).inc();
        out.collect(new EncodedRecord(key, value, null));
    }

    private static byte[] bytes(ByteBuffer b) {
        if (b == null) {
            return null;
        }
        ByteBuffer copy = b.duplicate();
        byte[] out = new byte[copy.remaining()];
        copy.get(out);
        return out;
    }
}
