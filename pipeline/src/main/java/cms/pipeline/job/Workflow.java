package cms.pipeline.job;

import cms.pipeline.ingest.Watermarks;
import cms.pipeline.model.Keys;
import cms.pipeline.model.PipelineState;
import cms.pipeline.commission.Beneficiary;
import cms.pipeline.commission.CommissionFunction;
import cms.pipeline.hierarchy.ReferenceSnapshot;
import cms.pipeline.model.EncodedRecord;
import cms.pipeline.model.PeriodRow;
import cms.pipeline.model.RatedEvent;
import cms.pipeline.model.RawRecord;
import cms.pipeline.model.ReferenceUpdate;
import cms.pipeline.model.FamilyRow;
import cms.pipeline.model.IdKeySerializer;
import cms.pipeline.model.ValidUsage;
import cms.pipeline.rating.RatingFunction;
import cms.pipeline.rollup.FamilyRollupFunction;
import cms.pipeline.rollup.PeriodFunction;
import cms.pipeline.rollup.PeriodMarks;
import cms.pipeline.kafka.DeadLetterOutput;
import cms.pipeline.kafka.KafkaOutput;
import cms.pipeline.kafka.RatedOutput;
import cms.pipeline.kafka.TopicLimits;
import cms.pipeline.kafka.ConsumerLag;
import cms.pipeline.ingest.PartitionWatermarkFunction;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.time.Duration;
import java.util.Objects;

/**
 * The rating topology, built from the sources and sinks it is given: the job's main passes Kafka
 * and Cassandra, tests pass finite sources and collecting sinks.
 *
 * <pre>
 * usage source (decode + validate each record; per-partition event-time watermarks over valid records)
 *   -> dead letters | valid usage annotated with its partition watermark
 *   -> keyBy subscription + broadcast reference data: deduplicate by eventId, enrich and rate
 *   -> keyBy partner: partner commission -> keyBy distributor: distributor commission
 *   -> rated output (encode, check against the rated topic's limits: refused records are dead letters)
 *   -> rated sink
 *   -> (still keyed by distributor) roll-ups by family: every window of the distributor's subtree -> roll-up sink
 *   -> booked periods (each once per subtask) -> keyBy period: period status -> period sink
 * dead letters of decode, rating and the rated output -> dead-letter output (encode, check) -> dead-letter sink;
 * duplicates -> optional sink
 * </pre>
 */
public final class Workflow {
    /**
     * Where the job reads from. referenceSnapshot (may be null) is what each rating task reads
     * synchronously at start-up, before rating anything; the reference source delivers it again and
     * keeps delivering what comes later.
     */
    public record Sources(Source<RawRecord, ?, ?> usage, Source<ReferenceUpdate, ?, ?> reference, ReferenceSnapshot referenceSnapshot) {
        public Sources {
            Objects.requireNonNull(usage, "usage");
            Objects.requireNonNull(reference, "reference");
        }
    }

    /** Where the job writes to; duplicates may be null (they are only counted). */
    public record Sinks(Sink<EncodedRecord> rated, Sink<EncodedRecord> deadLetters, Sink<FamilyRow> rollups,
                        Sink<PeriodRow> periods, Sink<ValidUsage> duplicates) {
        public Sinks {
            Objects.requireNonNull(rated, "rated");
            Objects.requireNonNull(deadLetters, "deadLetters");
            Objects.requireNonNull(rollups, "rollups");
            Objects.requireNonNull(periods, "periods");
        }
    }

    /**
     * What the rated and dead-letter output operators encode for: the topic's limits and the value schema's id, read
     * from the broker and the registry when the operators open (the job), or fixed (a topology test without servers).
     */
    public record Outputs(KafkaOutput rated, KafkaOutput deadLetters) {
        public Outputs {
            Objects.requireNonNull(rated, "rated");
            Objects.requireNonNull(deadLetters, "deadLetters");
        }

        /** The job's: the configured topics, their limits read from the broker, the schemas registered. */
        public static Outputs of(PipelineConfig config) {
            return new Outputs(
                    KafkaOutput.of(config.registry(), config.ratedTopic(), config.kafkaBootstrap(), TopicLimits.RATED_MAX_REQUEST_SIZE),
                    KafkaOutput.of(config.registry(), config.deadLetterTopic(), config.kafkaBootstrap(),
                            TopicLimits.DEAD_LETTER_MAX_REQUEST_SIZE));
        }
    }

    /** The usage source and the operators chained to it: see build(). */
    static final int USAGE_SOURCE_PARALLELISM = 1;

    private Workflow() {}

    public static void build(StreamExecutionEnvironment env, PipelineConfig config, Sources sources, Sinks sinks) {
        build(env, config, sources, sinks, Outputs.of(config));
    }

    public static void build(StreamExecutionEnvironment env, PipelineConfig config, Sources sources, Sinks sinks, Outputs outputs) {
        // per-partition event-time watermarks in the source (one generator per Kafka split, idleness relative to the
        // other splits). One source subtask reads every partition: the relative idleness rule (SourceActivity) can only
        // compare partitions a subtask sees, and a subtask must never go idle once it has read usage (see
        // README-PIPELINE, "The watermark"). Decoding one subtask's records is a small part of an event's cost.
        DataStream<RawRecord> raw = env
                .fromSource(sources.usage(), Watermarks.usage(config.outOfOrderness(), config.sourceIdleness()), "usage source")
                .uid(PipelineState.Uids.USAGE_SOURCE)
                .setParallelism(USAGE_SOURCE_PARALLELISM);
        if (config.failureInjectionDir() != null) {
            raw = raw.map(new FailureInjection(config.failureInjectionDir())).uid("failure-injection").name("failure injection")
                    .setParallelism(USAGE_SOURCE_PARALLELISM);
        }
        DataStream<ReferenceUpdate> reference = env
                .fromSource(sources.reference(), Watermarks.reference(), "reference-data source")
                .uid(PipelineState.Uids.REFERENCE_SOURCE)
                .setParallelism(1);

        SingleOutputStreamOperator<ValidUsage> decoded = raw
                .process(new PartitionWatermarkFunction(config.outOfOrderness(), new ConsumerLag(config.kafkaBootstrap())))
                .uid(PipelineState.Uids.DECODE).name("dead letters and partition watermarks")
                // chained to the source: a partition's records must reach it in their order
                .setParallelism(USAGE_SOURCE_PARALLELISM);

        // how long after a period's end its cumulative state must stay: a valid event of the period can arrive up to
        // max-event-age after it happened, when the event-time watermark can be up to max-event-lead further on
        Duration periodRetention = config.maxEventAge().plus(config.maxEventLead());
        BroadcastStream<ReferenceUpdate> broadcast = reference.broadcast(PipelineState.referenceData());
        SingleOutputStreamOperator<RatedEvent> rated = decoded
                // the subscription keys written as blocks in checkpoints: 100,000 of them, each under its state and timers
                .keyBy(new Keys.Subscription(), IdKeySerializer.TYPE)
                .connect(broadcast)
                .process(new RatingFunction(config.unknownSubscriptionGrace(), config.allowedLateness(), periodRetention,
                        config.dedupHorizon(), config.maxEventLead(), sources.referenceSnapshot()))
                .uid(PipelineState.Uids.RATE).name("deduplicate, enrich and rate");

        SingleOutputStreamOperator<RatedEvent> withCommission = rated
                .keyBy(new Keys.Partner())
                .process(new CommissionFunction(Beneficiary.PARTNER, periodRetention))
                .uid(PipelineState.Uids.PARTNER_COMMISSION).name("partner commission")
                .keyBy(new Keys.Distributor())
                .process(new CommissionFunction(Beneficiary.DISTRIBUTOR, periodRetention))
                .uid(PipelineState.Uids.DISTRIBUTOR_COMMISSION).name("distributor commission");

        // encoded and checked once, before the fan-out: an event its rated record cannot carry reaches no roll-up either
        SingleOutputStreamOperator<RatedEvent> delivered = withCommission
                .process(new RatedOutput(outputs.rated()))
                .uid(PipelineState.Uids.RATED_OUTPUT).name("rated output");
        delivered.getSideOutput(PipelineState.RATED_RECORDS).sinkTo(sinks.rated()).uid(PipelineState.Uids.RATED_SINK).name("rated usage sink");

        // the rated output runs chained to the distributor stage, so its output is still partitioned by distributor:
        // the roll-ups by family take it as keyed without a shuffle
        DataStreamUtils.reinterpretAsKeyedStream(delivered, new Keys.Distributor())
                .process(new FamilyRollupFunction(config.allowedLateness(), config.refreshInterval(), config.maxRefreshInterval(),
                        config.writeBudget(), config.writeBudgetMutations(), config.writeBudgetMaxInterval()))
                .uid(PipelineState.Uids.ROLLUP).name("roll-ups by family")
                .sinkTo(sinks.rollups()).uid(PipelineState.Uids.ROLLUP_SINK).name("roll-up sink");

        delivered
                .flatMap(new PeriodMarks()).uid(PipelineState.Uids.PERIOD_MARKS).name("booked periods")
                .keyBy(new Keys.Period())
                .process(new PeriodFunction(config.allowedLateness(), config.refreshInterval()))
                .uid(PipelineState.Uids.PERIODS).name("period status")
                .sinkTo(sinks.periods()).uid(PipelineState.Uids.PERIOD_SINK).name("period sink");

        decoded.getSideOutput(PipelineState.DEAD_LETTERS)
                .union(rated.getSideOutput(PipelineState.DEAD_LETTERS), delivered.getSideOutput(PipelineState.DEAD_LETTERS))
                .process(new DeadLetterOutput(outputs.deadLetters()))
                .uid(PipelineState.Uids.DEAD_LETTER_OUTPUT).name("dead-letter output")
                .sinkTo(sinks.deadLetters()).uid(PipelineState.Uids.DEAD_LETTER_SINK).name("dead-letter sink");

        if (sinks.duplicates() != null) {
            rated.getSideOutput(PipelineState.DUPLICATES).sinkTo(sinks.duplicates()).uid("duplicates-sink").name("duplicates sink");
        }
    }
}
