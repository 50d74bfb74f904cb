package cms.pipeline.ingest;

import cms.pipeline.model.DeadLetters;
import cms.avro.DeadLetterReason;
import cms.pipeline.model.PipelineState;
import cms.pipeline.kafka.ConsumerLag;
import cms.pipeline.model.PartitionProgress;
import cms.pipeline.model.RawRecord;
import cms.pipeline.model.ValidUsage;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Chained right after the usage source: splits the records the source decoded and validated into
 * dead letters (UNDECODABLE, INVALID: to the side output, with their coordinates and bytes) and valid
 * usage, and annotates each valid record with its partition watermark
 * {@code pw = (maximum valid eventTime of its Kafka partition before this record) - out-of-orderness}
 * (Long.MIN_VALUE for a partition's first valid record), then updates that maximum.
 *
 * <p>pw is a function of the partition's prefix alone. The maxima live in operator UNION list state,
 * snapshotted at the same checkpoint barrier as the source's offsets: a restore (with any parallelism:
 * every subtask gets every partition's maximum, merged with max) resumes each partition with the
 * maximum of exactly the prefix before its restored offset. So a restart, a savepoint restore and a
 * full replay all give a record the same pw, which makes the rating stage's lateness decision
 * deterministic (see RatingFunction).
 */
public final class PartitionWatermarkFunction extends ProcessFunction<RawRecord, ValidUsage> implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    private final long outOfOrdernessMillis;
    private transient Map<String, PartitionProgress> maxima;
    private transient ListState<PartitionProgress> state;
    private transient Counter undecodable;
    private transient Counter invalid;

    /** Null: no lag gauges (operator tests). */
    private final ConsumerLag lag;

    public PartitionWatermarkFunction(Duration outOfOrderness) {
        this(outOfOrderness, null);
    }

    public PartitionWatermarkFunction(Duration outOfOrderness, ConsumerLag lag) {
        this.outOfOrdernessMillis = outOfOrderness.toMillis();
        this.lag = lag;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        state = context.getOperatorStateStore().getUnionListState(PipelineState.partitionProgress());
        maxima = new HashMap<>();
        if (context.isRestored()) {
            for (PartitionProgress p : state.get()) {
                maxima.merge(key(p.topic, p.partition), p, (a, b) -> a.maxEventTime >= b.maxEventTime ? a : b);
            }
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        // every subtask writes every maximum it knows (restored ones included): a union restore merges with max,
        // and an entry of a partition this subtask does not read is never above its reader's
        List<PartitionProgress> all = new ArrayList<>(maxima.size());
        for (PartitionProgress p : maxima.values()) {
            all.add(new PartitionProgress(p.topic, p.partition, p.maxEventTime));
        }
        state.update(all);
    }

    @Override
    public void open(OpenContext openContext) {
        undecodable = getRuntimeContext().getMetricGroup().counter("undecodable");
        invalid = getRuntimeContext().getMetricGroup().counter("invalid");
        if (lag != null) {
            lag.open(getRuntimeContext().getMetricGroup());
        }
    }

    @Override
    public void close() {
        if (lag != null) {
            lag.close();
        }
    }

    @Override
    public void processElement(RawRecord raw, Context ctx, Collector<ValidUsage> out) {
        if (lag != null) {
            lag.read(raw.topic, raw.partition, raw.offset);
        }
        if (!raw.isValid()) {
            DeadLetterReason reason = raw.failure == null ? DeadLetterReason.UNDECODABLE : raw.failure;
            (reason == DeadLetterReason.INVALID ? invalid : undecodable).inc();
            ctx.output(PipelineState.DEAD_LETTERS, DeadLetters.of(reason, raw.failureDetail, raw, raw.failureEventId));
            return;
        }
        long eventTime = raw.event.getEventTime().toEpochMilli();
        PartitionProgress p = maxima.computeIfAbsent(key(raw.topic, raw.partition),
                k -> new PartitionProgress(raw.topic, raw.partition, Long.MIN_VALUE));
        long pw = p.maxEventTime > Long.MIN_VALUE + outOfOrdernessMillis ? p.maxEventTime - outOfOrdernessMillis : Long.MIN_VALUE;
        p.maxEventTime = Math.max(p.maxEventTime, eventTime);
        out.collect(new ValidUsage(raw.event, raw.coordinates(), pw));
    }

    private static String key(String topic, int partition) {
        return topic + "\u0000" + partition;
    }
}
