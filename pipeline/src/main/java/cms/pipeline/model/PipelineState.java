package cms.pipeline.model;

import cms.avro.DeadLetter;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.util.OutputTag;

import java.math.BigDecimal;

/**
 * Every state descriptor, side output and operator uid of the job, in one place the tests share.
 * Descriptors are made fresh per call: a descriptor holds its serializer once initialised, and
 * serializers are not thread-safe, so one static instance must not be shared by parallel subtasks.
 * Names and uids are part of the savepoint format: never rename one.
 */
public final class PipelineState {
    /** Records that cannot be rated, with a reason; to cms.usage.dead-letter.v1. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));
    /** Rated records encoded and checked by the rated output, for the rated sink. */
    public static final OutputTag<EncodedRecord> RATED_RECORDS =
            new OutputTag<>("rated-records", TypeInformation.of(EncodedRecord.class));
    /** Repeats of an eventId already seen within the de-duplication horizon. */
    public static final OutputTag<ValidUsage> DUPLICATES =
            new OutputTag<>("duplicates", TypeInformation.of(ValidUsage.class));

    /** Operator uids (stable across versions, for savepoints). */
    public static final class Uids {
        public static final String USAGE_SOURCE = "usage-source";
        public static final String REFERENCE_SOURCE = "reference-source";
        public static final String DECODE = "decode-usage";
        /**
         * Named anew when a subscription's state became one value (session 9): a savepoint of the job before it does
         * not restore into this one (its eventIds and tiers would be lost silently), it fails to map instead.
         */
        public static final String RATE = "rate-by-subscription";
        public static final String PARTNER_COMMISSION = "partner-commission";
        public static final String DISTRIBUTOR_COMMISSION = "distributor-commission";
        /** Named anew when the roll-ups became families (issue 13): savepoints of the old job need not restore. */
        public static final String ROLLUP = "family-rollups";
        public static final String PERIODS = "periods";
        public static final String PERIOD_MARKS = "period-marks";
        public static final String RATED_OUTPUT = "rated-output";
        public static final String RATED_SINK = "rated-sink";
        public static final String DEAD_LETTER_OUTPUT = "dead-letter-output";
        public static final String DEAD_LETTER_SINK = "dead-letter-sink";
        public static final String ROLLUP_SINK = "rollup-sink";
        public static final String PERIOD_SINK = "period-sink";

        private Uids() {}
    }

    /** Broadcast: every reference-data version, by "kind:version key". */
    public static MapStateDescriptor<String, ReferenceUpdate> referenceData() {
        return new MapStateDescriptor<>("reference-data", Types.STRING, TypeInformation.of(ReferenceUpdate.class));
    }

    /**
     * Rating: per subscription, everything the rating operator remembers of it, one value ({@link SubscriptionState}):
     * de-duplication's eventId fingerprints, each with the second its horizon ends, and the cumulative quantity of
     * each (billing period, meter). Replaced three states in session 9 (the operator's uid changed with it).
     */
    public static ValueStateDescriptor<SubscriptionState> subscriptionState() {
        return new ValueStateDescriptor<>("subscription-state", SubscriptionStateSerializer.INSTANCE);
    }

    /**
     * Partition watermarks (operator UNION list state of the stage after the usage source): per Kafka
     * partition, the maximum valid eventTime seen so far. Every subtask restores every entry.
     */
    public static ListStateDescriptor<PartitionProgress> partitionProgress() {
        return new ListStateDescriptor<>("partition-max-event-time", TypeInformation.of(PartitionProgress.class));
    }

    /** Rating: usage waiting for its subscription or price book to be known. */
    public static ListStateDescriptor<PendingUsage> pendingUsage() {
        return new ListStateDescriptor<>("pending-usage", TypeInformation.of(PendingUsage.class));
    }

    /** Commission: per beneficiary, "period|currency" to its period-to-date subtree amount. */
    public static MapStateDescriptor<String, BigDecimal> subtreeAmount() {
        return new MapStateDescriptor<>("subtree-amount", Types.STRING, Types.BIG_DEC);
    }

    /**
     * Roll-ups (keyed by distributor): every OPEN window row of the distributor's subtree, by family part (a tenant's
     * subscription rows, a partner's tenant rows, the distributor's partner rows, its own row).
     */
    public static MapStateDescriptor<FamilyKey, FamilyWindows> familyWindows() {
        // serializers of our own: a part's ids once and its rows as primitives (the whole map is written at every heap
        // checkpoint); named anew when the rows became parts: savepoints of the row-per-entry job need not restore
        return new MapStateDescriptor<>("family-windows", FamilyKeySerializer.INSTANCE, FamilyWindowsSerializer.INSTANCE);
    }

    /** Periods: the next refresh (processing-time) timer of an OPEN period. */
    public static ValueStateDescriptor<Long> periodRefresh() {
        return new ValueStateDescriptor<>("period-refresh", Types.LONG);
    }

    /** Periods: the watermark last written for an OPEN period. */
    public static ValueStateDescriptor<Long> periodWatermark() {
        return new ValueStateDescriptor<>("period-watermark", Types.LONG);
    }

    private PipelineState() {}
}
