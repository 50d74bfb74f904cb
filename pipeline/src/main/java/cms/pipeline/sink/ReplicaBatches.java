package cms.pipeline.sink;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.BatchableStatement;
import com.datastax.oss.driver.api.core.cql.Statement;
import com.datastax.oss.driver.api.core.metadata.TokenMap;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Groups statements into unlogged batches of at most maxSize, one open batch per replica set (the
 * nodes that own a statement's partition, from the driver's token map). A batch goes, token-aware, to
 * a node that owns every row in it, which applies each row as a local write: one request instead of
 * maxSize, which is where Cassandra spent most of its CPU on single-row writes (see BENCHMARKS.md).
 * The rows of a batch are independent idempotent upserts with their own write timestamps, so nothing
 * depends on a batch being atomic, and an unlogged batch is not.
 *
 * <p>maxSize stays within Cassandra's default warning thresholds (10 partitions, 5 KiB), so batches
 * do not fill its log or the driver's with warnings. Not thread-safe: one per writer or commit.
 */
final class ReplicaBatches {
    private final CqlSession session;
    private final int maxSize;
    private final Map<Object, List<BatchableStatement<?>>> open = new LinkedHashMap<>();

    ReplicaBatches(CqlSession session, int maxSize) {
        if (maxSize < 1) {
            throw new IllegalArgumentException("maxSize must be >= 1, was " + maxSize);
        }
        this.session = session;
        this.maxSize = maxSize;
    }

    /** Adds {@code statement}; returns the batch (or with maxSize 1 the statement) it fills, else null. */
    Statement<?> add(BatchableStatement<?> statement) {
        if (maxSize == 1) {
            return statement;
        }
        Object group = replicas(statement);
        List<BatchableStatement<?>> batch = open.computeIfAbsent(group, k -> new ArrayList<>(maxSize));
        batch.add(statement);
        if (batch.size() < maxSize) {
            return null;
        }
        open.remove(group);
        return toStatement(batch);
    }

    /** Every batch still open, however full; none is left open. */
    List<Statement<?>> takeAll() {
        List<Statement<?>> out = new ArrayList<>(open.size());
        for (List<BatchableStatement<?>> batch : open.values()) {
            out.add(toStatement(batch));
        }
        open.clear();
        return out;
    }

    /** The statements a batch (or single statement) from {@link #add} or {@link #takeAll} holds. */
    static int size(Statement<?> statement) {
        return statement instanceof BatchStatement b ? b.size() : 1;
    }

    private static Statement<?> toStatement(List<BatchableStatement<?>> batch) {
        if (batch.size() == 1) {
            return batch.get(0);
        }
        return BatchStatement.newInstance(BatchType.UNLOGGED, batch).setIdempotent(true);
    }

    /** The replica set owning the statement's partition; without a token map (or a routing key) one shared group. */
    private Object replicas(BatchableStatement<?> statement) {
        Optional<TokenMap> tokens = session.getMetadata().getTokenMap();
        CqlIdentifier keyspace = statement.getRoutingKeyspace();
        ByteBuffer key = statement.getRoutingKey();
        if (tokens.isEmpty() || keyspace == null || key == null) {
            return "";
        }
        Set<?> nodes = tokens.get().getReplicas(keyspace, key);
        return nodes.isEmpty() ? "" : nodes;
    }
}
