package cms.pipeline.cassandra;

import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;

import java.io.Serializable;
import java.util.List;

/** What a {@link CassandraSink} writes: the statements it prepares once per writer, and how an element binds to one. */
public interface CassandraStatements<T> extends Serializable {
    /** The CQL of every statement, prepared when the writer starts. */
    List<String> cql();

    /** The bound statement for {@code element}, given the prepared statements in the order of {@link #cql()}. */
    BoundStatement bind(T element, List<PreparedStatement> prepared);

    /**
     * True for an element that must only be written once the checkpoint holding it has completed
     * (a FINAL row): written earlier, a failure before that checkpoint could replay it differently.
     */
    default boolean deferUntilCheckpoint(T element) {
        return false;
    }
}
