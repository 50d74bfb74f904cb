package cms.pipeline.validation;

import cms.avro.DeadLetterReason;
import cms.avro.UsageEvent;
import cms.pipeline.PipelineState;
import cms.pipeline.model.RawRecord;
import cms.pipeline.model.ValidUsage;
import cms.registry.SchemaRegistryClient;
import cms.wire.AvroDeserializer;
import cms.wire.UndecodableRecordException;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Decodes and validates raw usage. Records that can never be read (UNDECODABLE) or break a rule
 * (INVALID) go to the dead-letter side output; a registry that is down is NOT bad data, so its
 * exception propagates and the job retries from its last checkpoint.
 */
public final class DecodeUsageFunction extends ProcessFunction<RawRecord, ValidUsage> {
    private static final long serialVersionUID = 1L;

    private final SchemaRegistryClient.Config registry;
    private final UsageRules rules;
    private transient AvroDeserializer<UsageEvent> deserializer;
    private transient Counter undecodable;
    private transient Counter invalid;

    public DecodeUsageFunction(SchemaRegistryClient.Config registry, UsageRules rules) {
        this.registry = registry;
        this.rules = rules;
    }

    @Override
    public void open(OpenContext openContext) {
        deserializer = new AvroDeserializer<>(new SchemaRegistryClient(registry), UsageEvent.class);
        undecodable = getRuntimeContext().getMetricGroup().counter("undecodable");
        invalid = getRuntimeContext().getMetricGroup().counter("invalid");
    }

    @Override
    public void processElement(RawRecord raw, Context ctx, Collector<ValidUsage> out) {
        UsageEvent event;
        try {
            event = deserializer.deserialize(raw.value);
        } catch (UndecodableRecordException e) {
            undecodable.inc();
            ctx.output(PipelineState.DEAD_LETTERS, DeadLetters.of(DeadLetterReason.UNDECODABLE,
                    e.problem() + ": " + e.getMessage(), raw, null));
            return;
        }
        String violation = rules.violation(event, raw.timestamp);
        if (violation != null) {
            invalid.inc();
            ctx.output(PipelineState.DEAD_LETTERS, DeadLetters.of(DeadLetterReason.INVALID, violation, raw,
                    event.getEventId()));
            return;
        }
        out.collect(new ValidUsage(event, raw));
    }
}
