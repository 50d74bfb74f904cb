package cms.pipeline.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Statement;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Writes the deferred elements of a completed checkpoint. The writes are idempotent upserts, so a
 * commit repeated after a restore is harmless. A failed batch is retried later; Flink keeps the
 * committables in state meanwhile.
 */
final class CassandraCommitter<T> implements Committer<T> {
    private static final Logger LOG = LoggerFactory.getLogger(CassandraCommitter.class);
    private static final int MAX_RETRIES = 20;

    private final CassandraConnection connection;
    private final CqlSession session;
    private final CassandraStatements<T> statements;
    private final List<PreparedStatement> prepared = new ArrayList<>();
    /** The writer's bounds; the batch delay does not apply, a commit sends all it has at once. */
    private final CassandraSinkWriter.Limits limits;
    /** As the writer's (same names, so a sum over the job's operators is every request and row sent to Cassandra). */
    private final Counter requests;
    private final Counter rows;

    CassandraCommitter(CassandraConnection connection, CassandraStatements<T> statements, CassandraSinkWriter.Limits limits,
                       MetricGroup metrics) {
        this.connection = connection;
        this.requests = metrics.counter(CassandraSinkWriter.REQUESTS);
        this.rows = metrics.counter(CassandraSinkWriter.ROWS);
        this.session = SharedSessions.acquire(connection);
        this.statements = statements;
        this.limits = limits;
        for (String cql : statements.cql()) {
            prepared.add(session.prepare(cql));
        }
    }

    @Override
    public void commit(Collection<CommitRequest<T>> requests) throws IOException, InterruptedException {
        AsyncWrites writes = new AsyncWrites(session, limits.maxInFlight(), limits.timeout());
        PartitionBatches batches = new PartitionBatches(limits.batchSize());
        try {
            for (CommitRequest<T> r : requests) {
                Statement<?> full = batches.add(statements.bind(r.getCommittable(), prepared));
                if (full != null) {
                    send(writes, full);
                }
            }
            for (Statement<?> batch : batches.takeAll()) {
                send(writes, batch);
            }
            writes.drain();
        } catch (IOException e) {
            LOG.warn("committing {} deferred Cassandra writes failed, will retry: {}", requests.size(), e.getMessage());
            for (CommitRequest<T> r : requests) {
                if (r.getNumberOfRetries() >= MAX_RETRIES) {
                    r.signalFailedWithUnknownReason(e);
                } else {
                    r.retryLater();
                }
            }
        }
    }

    private void send(AsyncWrites writes, Statement<?> statement) throws IOException, InterruptedException {
        requests.inc();
        rows.inc(PartitionBatches.size(statement));
        writes.send(statement, () -> { });
    }

    @Override
    public void close() {
        SharedSessions.release(connection, session);
    }
}
