package cms.pipeline.it;

import cms.pipeline.cassandra.CassandraSink;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.io.IOException;
import java.util.Collection;

/**
 * Fault injection: the real Cassandra sink, whose first subtask fails the job right after its n-th
 * write (counted across attempts) has landed in Cassandra, i.e. between a Cassandra write and the
 * next checkpoint, for each n in failAfter.
 */
final class FailingSink<T> implements Sink<T>, SupportsCommitter<T> {
    private static final long serialVersionUID = 1L;
    /** Failures thrown so far (the MiniCluster runs in the test's JVM). */
    static final java.util.concurrent.atomic.AtomicInteger INJECTED = new java.util.concurrent.atomic.AtomicInteger();
    /** Writes to let through (any subtask, from now) before failing once; -1: disarmed. See {@link #arm}. */
    static final java.util.concurrent.atomic.AtomicLong ARMED = new java.util.concurrent.atomic.AtomicLong(-1);
    /** Writes of the first subtask so far, over all attempts. */
    static final java.util.concurrent.atomic.AtomicLong WRITES = new java.util.concurrent.atomic.AtomicLong();

    private final CassandraSink<T> delegate;
    private final long[] failAfter;

    FailingSink(CassandraSink<T> delegate, long... failAfter) {
        this.delegate = delegate;
        this.failAfter = failAfter;
    }

    /**
     * Fails the job once, on whichever subtask makes the {@code skip}+1-th write from now, right after that write has
     * landed (before the checkpoint that would cover it): a failure at a point chosen while the job runs.
     */
    static void arm(long skip) {
        ARMED.set(skip);
    }

    @Override
    public CommittingSinkWriter<T, T> createWriter(WriterInitContext context) throws IOException {
        int attempt = context.getTaskInfo().getAttemptNumber();
        boolean armed = context.getTaskInfo().getIndexOfThisSubtask() == 0;
        return new Writer<>(delegate.createWriter(context), armed ? failAfter : new long[0], attempt);
    }

    @Override
    public Committer<T> createCommitter(CommitterInitContext context) throws IOException {
        return delegate.createCommitter(context);
    }

    @Override
    public SimpleVersionedSerializer<T> getCommittableSerializer() {
        return delegate.getCommittableSerializer();
    }

    @SuppressWarnings("try")
    private static final class Writer<T> implements CommittingSinkWriter<T, T> {
        private final CommittingSinkWriter<T, T> inner;
        private final long[] failAt;
        private final int attempt;

        Writer(CommittingSinkWriter<T, T> inner, long[] failAt, int attempt) {
            this.inner = inner;
            this.failAt = failAt;
            this.attempt = attempt;
        }

        @Override
        public void write(T element, Context context) throws IOException, InterruptedException {
            inner.write(element, context);
            if (ARMED.get() >= 0 && ARMED.getAndDecrement() == 0) {
                inner.flush(false);   // the write has landed; the checkpoint that would cover it has not happened
                INJECTED.incrementAndGet();
                throw new IOException("injected failure after an armed write (attempt " + attempt + ")");
            }
            if (failAt.length == 0) {
                return;
            }
            long written = WRITES.incrementAndGet();
            for (long n : failAt) {
                if (written == n) {
                    inner.flush(false);   // the write has landed; the checkpoint that would cover it has not happened
                    INJECTED.incrementAndGet();
                    throw new IOException("injected failure after write " + written + " (attempt " + attempt + ")");
                }
            }
        }

        @Override
        public void flush(boolean endOfInput) throws IOException, InterruptedException {
            inner.flush(endOfInput);
        }

        @Override
        public Collection<T> prepareCommit() throws IOException, InterruptedException {
            return inner.prepareCommit();
        }

        @Override
        public void close() throws Exception {
            inner.close();
        }
    }
}
