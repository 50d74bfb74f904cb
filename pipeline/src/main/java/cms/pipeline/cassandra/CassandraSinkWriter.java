package cms.pipeline.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Statement;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * Sends elements as asynchronous prepared statements, grouped into batches of rows of the same
 * partition ({@link PartitionBatches}), at most maxInFlight requests outstanding. A batch goes when it is
 * full, or batchDelay after its first row at the latest (a processing-time timer, so a quiet stream
 * still writes within the delay). flush() (before every checkpoint and at end of input) sends every
 * batch and waits until nothing is outstanding, so a completed checkpoint implies every earlier write
 * landed. The first failure of any request is rethrown by the next write, flush or close. Deferred
 * elements are handed to the committer.
 */
@SuppressWarnings("try") // close() may be interrupted while waiting; Flink handles that
final class CassandraSinkWriter<T> implements CommittingSinkWriter<T, T> {
    /** Metric names (counters) of the requests and rows sent; the benchmark sums them over the job's operators. */
    static final String REQUESTS = "cassandraRequests";
    static final String ROWS = "cassandraRows";
    /** A gauge of cassandra.batch-size, so that the benchmark can tell a consistent rows-per-request figure from a bad reading. */
    static final String BATCH_SIZE = "cassandraBatchSize";
    /**
     * The writer's bounds: requests in flight, how long to wait for them, rows per batch and how long a row may
     * wait for its batch. Serializable: the sink holding it is shipped to the tasks.
     */
    record Limits(int maxInFlight, Duration timeout, int batchSize, Duration batchDelay) implements java.io.Serializable {
        Limits {
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(batchDelay, "batchDelay");
        }
    }

    private final CassandraConnection connection;
    private final CqlSession session;
    private final CassandraStatements<T> statements;
    private final List<PreparedStatement> prepared = new ArrayList<>();
    private final AsyncWrites writes;
    private final PartitionBatches batches;
    private final ProcessingTimeService time;
    private final long batchDelayMillis;
    private final Counter sent;
    /**
     * Requests (single rows or batches: a batch of one partition is one mutation) and rows sent, for the write budget's
     * figures; the committer counts its own (FINAL rows, written after the checkpoint) under the same names.
     */
    private final Counter requests;
    private final Counter rows;
    private List<T> deferred = new ArrayList<>();
    private boolean sendScheduled;
    private boolean closed;

    CassandraSinkWriter(CassandraConnection connection, CassandraStatements<T> statements, Limits limits, ProcessingTimeService time,
                        SinkWriterMetricGroup metrics) {
        this.connection = connection;
        this.session = SharedSessions.acquire(connection);
        this.statements = statements;
        this.writes = new AsyncWrites(session, limits.maxInFlight(), limits.timeout());
        this.batches = new PartitionBatches(limits.batchSize());
        this.time = Objects.requireNonNull(time, "time");
        this.batchDelayMillis = limits.batchDelay().toMillis();
        this.sent = metrics.getNumRecordsSendCounter();
        this.requests = metrics.counter(REQUESTS);
        this.rows = metrics.counter(ROWS);
        int batchSize = limits.batchSize();
        metrics.gauge(BATCH_SIZE, (org.apache.flink.metrics.Gauge<Integer>) () -> batchSize);
        for (String cql : statements.cql()) {
            prepared.add(session.prepare(cql));
        }
    }

    @Override
    public void write(T element, Context context) throws IOException, InterruptedException {
        if (statements.deferUntilCheckpoint(element)) {
            deferred.add(element);
            return;
        }
        Statement<?> full = batches.add(statements.bind(element, prepared));
        if (full != null) {
            send(full);
        } else if (!sendScheduled) {
            // the timer runs in the task's mailbox thread, like write(): no locking needed
            sendScheduled = true;
            time.registerTimer(time.getCurrentProcessingTime() + batchDelayMillis, t -> sendOpenBatches());
        }
    }

    private void sendOpenBatches() throws IOException, InterruptedException {
        sendScheduled = false;
        if (closed) {
            return;
        }
        for (Statement<?> batch : batches.takeAll()) {
            send(batch);
        }
    }

    private void send(Statement<?> statement) throws IOException, InterruptedException {
        int size = PartitionBatches.size(statement);
        requests.inc();
        rows.inc(size);
        writes.send(statement, () -> sent.inc(size));
    }

    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        sendOpenBatches();
        writes.drain();
    }

    @Override
    public Collection<T> prepareCommit() {
        List<T> out = deferred;
        deferred = new ArrayList<>();
        return out;
    }

    @Override
    public void close() throws Exception {
        try {
            // after a failure nothing more is waited for; the job restarts from its checkpoint
            if (!writes.failed()) {
                sendOpenBatches();
                writes.drain();
            }
        } finally {
            closed = true;
            SharedSessions.release(connection, session);
        }
    }
}
