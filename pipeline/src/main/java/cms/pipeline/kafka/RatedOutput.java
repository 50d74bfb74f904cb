package cms.pipeline.kafka;

import cms.avro.DeadLetterReason;
import cms.avro.Lineage;
import cms.avro.RatedUsage;
import cms.pipeline.model.PipelineState;
import cms.pipeline.model.EncodedRecord;
import cms.pipeline.model.RatedEvent;
import cms.pipeline.rating.Pricing;
import cms.pipeline.model.DeadLetters;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The rated record of each event, encoded once and checked before anything else sees the event: key the
 * subscription id, value a Confluent-framed RatedUsage, timestamp the event time. What the rated topic or
 * our producer would refuse ({@link TopicLimits}), and what cannot be encoded at all, is dead-lettered
 * UNDELIVERABLE with the refusal (a send error would fail the exactly-once sink and the job, for good);
 * everything else goes on as the encoded record to the rated sink ({@link PipelineState#RATED_RECORDS}) and
 * as the event to the roll-ups, so that a refused event is in neither. Its commissions were already counted
 * in its beneficiaries' period subtree amounts; validation bounds size, precision and time so that only a
 * topic configured tighter than the job's bounds (or a broker clock ahead of ours) gets this far.
 */
public final class RatedOutput extends ProcessFunction<RatedEvent, RatedEvent> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RatedOutput.class);

    private final KafkaOutput output;
    private transient KafkaOutput.Opened opened;
    private transient Counter undeliverable;
    private transient Counter rated;
    private transient Counter lateAdjustments;

    public RatedOutput(KafkaOutput output) {
        this.output = output;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        opened = output.open(RatedUsage.getClassSchema());
        LOG.info("rated output {}", opened.limits());
        undeliverable = getRuntimeContext().getMetricGroup().counter("undeliverable");
        // counted from the task's start, so a restart replays some again: alert on rates (README-PIPELINE, "Metrics")
        rated = getRuntimeContext().getMetricGroup().counter("ratedRecords");
        lateAdjustments = getRuntimeContext().getMetricGroup().counter("lateAdjustments");
    }

    @Override
    public void processElement(RatedEvent e, Context ctx, Collector<RatedEvent> out) {
        byte[] key = e.subscriptionId().getBytes(StandardCharsets.UTF_8);
        long timestamp = e.event.getEventTime().toEpochMilli();
        byte[] value = null;
        String refusal;
        try {
            value = opened.encode(toAvro(e));
            refusal = opened.limits().refusal(key, value, timestamp, ctx.timerService().currentProcessingTime());
        } catch (RuntimeException encoding) {
            // encoding is a function of the record alone (the schema id is resolved at open): retrying cannot help
            refusal = "cannot encode it: " + encoding;
        }
        if (refusal != null) {
            undeliverable.inc();
            ctx.output(PipelineState.DEAD_LETTERS, DeadLetters.of(DeadLetterReason.UNDELIVERABLE,
                    output.topic() + " refuses the rated record: " + refusal, e.source, e.event.getEventId()));
            return;
        }
        ctx.output(PipelineState.RATED_RECORDS, new EncodedRecord(key, value, timestamp));
        rated.inc();
        if (e.lateAdjustment) {
            lateAdjustments.inc();
        }
        e.source = null;   // the roll-up and period stages never need the original bytes: not shipped further
        out.collect(e);
    }

    /**
     * The rated record. All-args constructors rather than builders: a builder checks and fills defaults field by
     * field (reflection on the schema) for every event; a missing required value fails the encoding just the same.
     */
    public static RatedUsage toAvro(RatedEvent e) {
        return new RatedUsage(e.event, new Lineage(e.subscriptionId(), e.tenantId, e.partnerId, e.distributorId), e.priceBookId,
                Instant.ofEpochMilli(e.priceBookVersion), e.currency, e.amount.setScale(Pricing.MONEY_SCALE),
                e.partnerCommission.setScale(Pricing.MONEY_SCALE), e.distributorCommission.setScale(Pricing.MONEY_SCALE),
                e.partnerPlanId, e.distributorPlanId, e.period, e.lateAdjustment, e.bookedPeriod);
    }
}
