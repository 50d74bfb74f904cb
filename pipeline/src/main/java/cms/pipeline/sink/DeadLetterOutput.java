package cms.pipeline.sink;

import cms.avro.DeadLetter;
import cms.avro.DeadLetterReason;
import cms.pipeline.model.EncodedRecord;
import cms.registry.SchemaRegistryClient;
import cms.wire.AvroSerializer;
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

    private final SchemaRegistryClient.Config registry;
    private final String topic;
    private final String bootstrap;
    private final int maxRequestSize;
    /** Given by operator tests (no broker, no registry); null: read and registered at open. */
    private final TopicLimits fixedLimits;
    private final Integer fixedSchemaId;
    private transient TopicLimits limits;
    private transient AvroSerializer serializer;
    private transient int schemaId;
    private transient Counter reduced;

    public DeadLetterOutput(SchemaRegistryClient.Config registry, String topic, String bootstrap, int maxRequestSize) {
        this(registry, topic, bootstrap, maxRequestSize, null, null);
    }

    /** With fixed limits and schema id: operator tests. */
    DeadLetterOutput(TopicLimits limits, int schemaId) {
        this(SchemaRegistryClient.Config.of("http://127.0.0.1:1"), limits.topic(), null, 0, limits, schemaId);
    }

    private DeadLetterOutput(SchemaRegistryClient.Config registry, String topic, String bootstrap, int maxRequestSize,
                             TopicLimits fixedLimits, Integer fixedSchemaId) {
        this.registry = registry;
        this.topic = topic;
        this.bootstrap = bootstrap;
        this.maxRequestSize = maxRequestSize;
        this.fixedLimits = fixedLimits;
        this.fixedSchemaId = fixedSchemaId;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        SchemaRegistryClient client = new SchemaRegistryClient(registry);
        limits = fixedLimits != null ? fixedLimits : TopicLimits.read(bootstrap, topic, maxRequestSize);
        schemaId = fixedSchemaId != null ? fixedSchemaId : SchemaRegistration.register(client, topic, DeadLetter.getClassSchema());
        LOG.info("dead-letter output {}", limits);
        serializer = new AvroSerializer(client, true);
        reduced = getRuntimeContext().getMetricGroup().counter("deadLettersWithoutOriginal");
    }

    @Override
    public void processElement(DeadLetter d, Context ctx, Collector<EncodedRecord> out) {
        long now = ctx.timerService().currentProcessingTime();
        byte[] key = bytes(d.getKey());
        byte[] value = serializer.encode(schemaId, d);
        String refusal = limits.refusal(key, value, null, now);
        if (refusal == null) {
            out.collect(new EncodedRecord(key, value, null));
            return;
        }
        reduced.inc();
        int originalBytes = d.getValue() == null ? 0 : d.getValue().remaining();
        DeadLetter without = DeadLetter.newBuilder(d)
                .setReason(DeadLetterReason.UNDELIVERABLE)
                .setDetail(cms.pipeline.validation.DeadLetters.bounded(topic + " refuses the dead letter: " + refusal + "; written without the "
                        + originalBytes + " original value bytes (at the source coordinates); it was " + d.getReason() + ": " + d.getDetail()))
                .setValue(null)
                .build();
        value = serializer.encode(schemaId, without);
        if (limits.refusal(key, value, null, now) != null) {
            // the key alone is too large: the coordinates still find the record
            without.setKey(null);
            key = null;
            value = serializer.encode(schemaId, without);
            String still = limits.refusal(null, value, null, now);
            if (still != null) {
                throw new IllegalStateException(topic + " refuses even a dead letter without key and value (" + still
                        + "): its max.message.bytes is set far too low");
            }
        }
        LOG.warn("dead letter of {}-{}@{} written without its original bytes: {}", d.getSourceTopic(), d.getSourcePartition(),
                d.getSourceOffset(), refusal);
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
