package cms.pipeline.it;

import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaWriterState;
import org.apache.flink.connector.kafka.sink.TwoPhaseCommittingStatefulSink;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.SupportsPostCommitTopology;
import org.apache.flink.streaming.api.datastream.DataStream;

import java.io.IOException;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fault injection: the real exactly-once Kafka sink, whose committer fails the job when armed, on the n-th commit
 * after arming, before the transactions are committed: after the checkpoint that pre-committed them completed, and
 * before the broker commits them (the restored job's committer must commit them then, or they are lost). Armed and
 * counted JVM-wide: the MiniCluster runs in the test's JVM.
 */
final class FailingKafkaSink<IN> implements TwoPhaseCommittingStatefulSink<IN, KafkaWriterState, KafkaCommittable>,
        SupportsPostCommitTopology<KafkaCommittable> {
    private static final long serialVersionUID = 1L;
    /** Commits to let through before failing; -1: disarmed. */
    static final AtomicLong ARMED = new AtomicLong(-1);
    /** Failures thrown so far. */
    static final AtomicInteger INJECTED = new AtomicInteger();

    private final KafkaSink<IN> delegate;

    FailingKafkaSink(KafkaSink<IN> delegate) {
        this.delegate = delegate;
    }

    /** Fails the job at the {@code skip}+1-th commit of any subtask from now. */
    static void arm(long skip) {
        ARMED.set(skip);
    }

    @Override
    public PrecommittingStatefulSinkWriter<IN, KafkaWriterState, KafkaCommittable> createWriter(WriterInitContext context) throws IOException {
        return delegate.createWriter(context);
    }

    @Override
    public PrecommittingStatefulSinkWriter<IN, KafkaWriterState, KafkaCommittable> restoreWriter(WriterInitContext context,
            Collection<KafkaWriterState> state) throws IOException {
        return delegate.restoreWriter(context, state);
    }

    @Override
    public SimpleVersionedSerializer<KafkaWriterState> getWriterStateSerializer() {
        return delegate.getWriterStateSerializer();
    }

    @Override
    public Committer<KafkaCommittable> createCommitter(CommitterInitContext context) throws IOException {
        Committer<KafkaCommittable> inner = delegate.createCommitter(context);
        return new Committer<>() {
            @Override
            public void commit(Collection<CommitRequest<KafkaCommittable>> requests) throws IOException, InterruptedException {
                if (!requests.isEmpty() && ARMED.get() >= 0 && ARMED.getAndDecrement() == 0) {
                    INJECTED.incrementAndGet();
                    throw new IOException("injected failure before committing " + requests.size() + " pre-committed Kafka transaction(s)");
                }
                inner.commit(requests);
            }

            @Override
            public void close() throws Exception {
                inner.close();
            }
        };
    }

    @Override
    public SimpleVersionedSerializer<KafkaCommittable> getCommittableSerializer() {
        return delegate.getCommittableSerializer();
    }

    @Override
    public void addPostCommitTopology(DataStream<CommittableMessage<KafkaCommittable>> committables) {
        delegate.addPostCommitTopology(committables);
    }
}
