package cms.pipeline.cassandra;

import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;

/**
 * A Sink V2 writing idempotent upserts to Cassandra with the Java driver 4.x: prepared statements,
 * asynchronous execution with a bound on in-flight requests, everything outstanding awaited on each
 * checkpoint (flush), writes that time out or find no replica retried with backoff ({@link AsyncWrites}), and the
 * first failure that is not (or that outlasts the retries) rethrown so the job restarts from its last checkpoint. Elements the statements mark {@link CassandraStatements#deferUntilCheckpoint deferred}
 * (FINAL rows) are committables instead: checkpointed with the writer, written by the committer once
 * the checkpoint completed, and written again after a restore if that had not happened yet.
 * Built with {@link #builder()}.
 */
public final class CassandraSink<T> implements Sink<T>, SupportsCommitter<T> {
    private static final long serialVersionUID = 1L;

    private final CassandraConnection connection;
    private final CassandraStatements<T> statements;
    private final TypeInformation<T> elementType;
    private final CassandraSinkWriter.Limits limits;

    private CassandraSink(Builder<T> b) {
        this.connection = b.connection;
        this.statements = b.statements;
        this.elementType = b.elementType;
        this.limits = new CassandraSinkWriter.Limits(b.maxInFlight, b.timeout, b.batchSize, b.batchDelay);
    }

    public static <T> Builder<T> builder() {
        return new Builder<>();
    }

    @Override
    public CommittingSinkWriter<T, T> createWriter(WriterInitContext context) {
        return new CassandraSinkWriter<>(connection, statements, limits, context.getProcessingTimeService(), context.metricGroup());
    }

    @Override
    public Committer<T> createCommitter(CommitterInitContext context) {
        return new CassandraCommitter<>(connection, statements, limits, context.metricGroup());
    }

    @Override
    public SimpleVersionedSerializer<T> getCommittableSerializer() {
        return new ElementSerializer<>(elementType.createSerializer(new ExecutionConfig().getSerializerConfig()));
    }

    /** Committables are elements; they are serialized with the element type's own Flink serializer. */
    static final class ElementSerializer<T> implements SimpleVersionedSerializer<T> {
        private final TypeSerializer<T> serializer;

        ElementSerializer(TypeSerializer<T> serializer) {
            this.serializer = serializer;
        }

        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(T element) throws IOException {
            DataOutputSerializer out = new DataOutputSerializer(256);
            serializer.serialize(element, out);
            return out.getCopyOfBuffer();
        }

        @Override
        public T deserialize(int version, byte[] bytes) throws IOException {
            if (version != 1) {
                throw new IOException("unknown committable version " + version);
            }
            return serializer.deserialize(new DataInputDeserializer(bytes));
        }
    }

    /** Builder of a {@link CassandraSink}. */
    public static final class Builder<T> {
        private CassandraConnection connection;
        private CassandraStatements<T> statements;
        private TypeInformation<T> elementType;
        private int maxInFlight = 256;
        private Duration timeout = Duration.ofMinutes(2);
        private int batchSize = 1;
        private Duration batchDelay = Duration.ofMillis(100);

        public Builder<T> setConnection(CassandraConnection connection) {
            this.connection = connection;
            return this;
        }

        public Builder<T> setStatements(CassandraStatements<T> statements) {
            this.statements = statements;
            return this;
        }

        /** The element type, whose serializer checkpoints deferred elements. */
        public Builder<T> setElementType(TypeInformation<T> elementType) {
            this.elementType = elementType;
            return this;
        }

        /**
         * Up to this many rows per request: unlogged batches of rows of the same partition (see
         * {@link PartitionBatches}); 1, the default, sends each row as a request of its own.
         */
        public Builder<T> setBatchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1, was " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /** How long a row may wait for its batch to fill; then the batch goes as it is (checkpoints send every batch at once). */
        public Builder<T> setBatchDelay(Duration batchDelay) {
            if (batchDelay.isNegative()) {
                throw new IllegalArgumentException("batchDelay must not be negative, was " + batchDelay);
            }
            this.batchDelay = batchDelay;
            return this;
        }

        /** At most this many requests outstanding per writer; write() blocks beyond it (backpressure). */
        public Builder<T> setMaxInFlight(int maxInFlight) {
            if (maxInFlight < 1) {
                throw new IllegalArgumentException("maxInFlight must be >= 1, was " + maxInFlight);
            }
            this.maxInFlight = maxInFlight;
            return this;
        }

        /**
         * How long a write is retried while Cassandra times out or has no replica (down, restarting, overloaded: see
         * {@link AsyncWrites}) before it fails the job; write(), flush() and a commit wait meanwhile.
         */
        public Builder<T> setTimeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout);
            return this;
        }

        public CassandraSink<T> build() {
            Objects.requireNonNull(connection, "connection");
            Objects.requireNonNull(statements, "statements");
            Objects.requireNonNull(elementType, "elementType");
            return new CassandraSink<>(this);
        }
    }
}
