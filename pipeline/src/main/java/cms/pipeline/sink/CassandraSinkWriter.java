package cms.pipeline.sink;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Sends each element as one asynchronous prepared statement, at most maxInFlight outstanding.
 * flush() (before every checkpoint and at end of input) waits until nothing is outstanding, so a
 * completed checkpoint implies every earlier write landed. The first failure of any request is
 * rethrown by the next write, flush or close. Deferred elements are handed to the committer.
 */
@SuppressWarnings("try") // close() may be interrupted while waiting; Flink handles that
final class CassandraSinkWriter<T> implements CommittingSinkWriter<T, T> {
    private final CassandraConnection connection;
    private final CqlSession session;
    private final CassandraStatements<T> statements;
    private final List<PreparedStatement> prepared = new ArrayList<>();
    private final AsyncWrites writes;
    private final Counter sent;
    private List<T> deferred = new ArrayList<>();

    CassandraSinkWriter(CassandraConnection connection, CassandraStatements<T> statements, int maxInFlight, Duration timeout,
                        SinkWriterMetricGroup metrics) {
        this.connection = connection;
        this.session = SharedSessions.acquire(connection);
        this.statements = statements;
        this.writes = new AsyncWrites(session, maxInFlight, timeout);
        this.sent = metrics.getNumRecordsSendCounter();
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
        writes.send(statements.bind(element, prepared), sent::inc);
    }

    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
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
                writes.drain();
            }
        } finally {
            SharedSessions.release(connection, session);
        }
    }
}
