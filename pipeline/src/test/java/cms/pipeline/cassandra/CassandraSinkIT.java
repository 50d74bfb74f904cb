package cms.pipeline.cassandra;

import cms.pipeline.rollup.WriteOrder;
import cms.cassandra.CassandraSchema;
import cms.pipeline.model.PeriodRow;
import cms.pipeline.model.FamilyRow;
import cms.stack.LocalStackAddresses;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.streaming.runtime.tasks.TestProcessingTimeService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Cassandra writer and committer against the stack's real Cassandra, in a keyspace of their own. */
@SuppressWarnings("try")
class CassandraSinkIT {
    /** What Flink hands the sink for its committer; only the metric group is used (the committer counts its writes). */
    private static final org.apache.flink.api.connector.sink2.CommitterInitContext COMMITTER_CONTEXT =
            new org.apache.flink.api.connector.sink2.CommitterInitContext() {
                @Override
                public org.apache.flink.metrics.groups.SinkCommitterMetricGroup metricGroup() {
                    return org.apache.flink.runtime.metrics.groups.InternalSinkCommitterMetricGroup.wrap(
                            UnregisteredMetricsGroup.createOperatorMetricGroup());
                }

                @Override
                public java.util.OptionalLong getRestoredCheckpointId() {
                    return java.util.OptionalLong.empty();
                }

                @Override
                public org.apache.flink.api.common.JobInfo getJobInfo() {
                    throw new UnsupportedOperationException();
                }

                @Override
                public org.apache.flink.api.common.TaskInfo getTaskInfo() {
                    throw new UnsupportedOperationException();
                }
            };

    private static final LocalStackAddresses STACK = LocalStackAddresses.fromEnvironment();
    private static final String KEYSPACE = "it_sink_" + UUID.randomUUID().toString().substring(0, 8);
    private static final SinkWriter.Context NO_CONTEXT = new SinkWriter.Context() {
        @Override
        public long currentWatermark() {
            return Long.MIN_VALUE;
        }

        @Override
        public Long timestamp() {
            return null;
        }
    };
    private static CqlSession session;
    private static CassandraConnection connection;

    @BeforeAll
    static void keyspace() {
        session = CqlSession.builder().addContactPoint(new InetSocketAddress(STACK.host(), STACK.cassandraPort()))
                .withLocalDatacenter(LocalStackAddresses.CASSANDRA_DATACENTER).build();
        CassandraSchema.apply(session, KEYSPACE, 1);
        connection = new CassandraConnection(STACK.cassandraContactPoint(), LocalStackAddresses.CASSANDRA_DATACENTER, KEYSPACE,
                Duration.ofSeconds(10));
    }

    @AfterAll
    static void drop() {
        session.execute(SimpleStatement.newInstance("DROP KEYSPACE IF EXISTS " + KEYSPACE).setTimeout(Duration.ofSeconds(30)));
        session.close();
    }

    /** A subscription's HOUR row in the family of tenant t1: every row of these tests is in one partition. */
    private static FamilyRow row(String subscription, long count, String amount, String status) {
        FamilyRow r = new FamilyRow();
        r.level = "TENANT";
        r.nodeId = "t1";
        r.childId = subscription;
        r.via = "d1";
        r.granularity = "HOUR";
        r.bucket = "2026-01";
        r.windowStart = Instant.parse("2026-01-10T10:00:00Z").toEpochMilli();
        r.windowEnd = Instant.parse("2026-01-10T11:00:00Z").toEpochMilli();
        r.meterId = "vcpu";
        r.currency = "EUR";
        r.status = status;
        r.eventCount = count;
        r.quantity = BigDecimal.valueOf(count);
        r.amount = new BigDecimal(amount);
        r.writeTimestamp = FamilyRow.FINAL.equals(status) ? WriteOrder.finalTimestamp(count, 0) : WriteOrder.openTimestamp(count, 0);
        return r;
    }

    private static Row read(String node) {
        return session.execute("SELECT status, event_count, amount FROM " + KEYSPACE + ".family_rollups WHERE level = 'TENANT'"
                + " AND node_id = 't1' AND bucket = '2026-01' AND granularity = 'HOUR' AND child_id = ?", node).one();
    }

    private static CassandraSinkWriter<FamilyRow> writer(int maxInFlight) {
        return writer(maxInFlight, 1, new TestProcessingTimeService());
    }

    private static CassandraSinkWriter<FamilyRow> writer(int maxInFlight, int batchSize, TestProcessingTimeService time) {
        return new CassandraSinkWriter<>(connection, new FamilyRollupStatements(),
                new CassandraSinkWriter.Limits(maxInFlight, Duration.ofSeconds(30), batchSize, Duration.ofMillis(100)), time,
                UnregisteredMetricsGroup.createSinkWriterMetricGroup());
    }

    private static List<String> missing(String prefix, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (read(prefix + i) == null) {
                out.add(prefix + i);
            }
        }
        return out;
    }

    private static void awaitWritten(String prefix, int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!missing(prefix, n).isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("rows never written: " + missing(prefix, n));
            }
            Thread.sleep(50);
        }
    }

    @Test
    void rowsGoInBatchesWhenFullAfterTheBatchDelayAndAtFlush() throws Exception {
        TestProcessingTimeService time = new TestProcessingTimeService();
        time.setCurrentTime(1_000);
        try (var w = writer(2, 10, time)) {
            for (int i = 0; i < 25; i++) {
                w.write(row("b" + i, 1, "1", FamilyRow.OPEN), NO_CONTEXT);
            }
            // two full batches went; the last 5 rows wait for their batch to fill or for the delay
            awaitWritten("b", 20);
            assertThat(missing("b", 25)).containsExactly("b20", "b21", "b22", "b23", "b24");
            time.setCurrentTime(1_099);
            Thread.sleep(300);
            assertThat(missing("b", 25)).hasSize(5);
            time.setCurrentTime(1_100); // the batch delay is over: the open batch goes as it is
            awaitWritten("b", 25);

            w.write(row("c0", 1, "1", FamilyRow.OPEN), NO_CONTEXT);
            w.write(row("c1", 1, "1", FamilyRow.OPEN), NO_CONTEXT);
            w.flush(false); // a checkpoint sends every open batch and waits for it
            assertThat(missing("c", 2)).isEmpty();
        }
        // the committer batches FINAL rows the same way
        CassandraSink<FamilyRow> sink = CassandraSink.<FamilyRow>builder().setConnection(connection).setBatchSize(10)
                .setStatements(new FamilyRollupStatements()).setElementType(TypeInformation.of(FamilyRow.class)).build();
        List<Committer.CommitRequest<FamilyRow>> requests = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            requests.add(new Request<>(row("b" + i, 1, "1", FamilyRow.FINAL)));
        }
        try (Committer<FamilyRow> committer = sink.createCommitter(COMMITTER_CONTEXT)) {
            committer.commit(requests);
        }
        for (int i = 0; i < 25; i++) {
            assertThat(read("b" + i).getString("status")).as("b" + i).isEqualTo("FINAL");
        }
    }

    @Test
    void flushWaitsForEveryWriteAndAnOlderProgressNeverReplacesANewerOne() throws Exception {
        try (var w = writer(4)) {
            for (int i = 0; i < 200; i++) {
                w.write(row("n" + i, 3, "1.5", FamilyRow.OPEN), NO_CONTEXT);
            }
            w.flush(false);
            for (int i = 0; i < 200; i++) {
                assertThat(read("n" + i)).as("row n" + i + " written before flush returned").isNotNull();
            }
            // a restarted job re-emits count 2 after count 3 was written: Cassandra keeps count 3
            w.write(row("n0", 2, "1.0", FamilyRow.OPEN), NO_CONTEXT);
            w.write(row("n1", 5, "2.5", FamilyRow.OPEN), NO_CONTEXT);
            w.flush(false);
        }
        assertThat(read("n0").getLong("event_count")).isEqualTo(3);
        assertThat(read("n0").getBigDecimal("amount")).isEqualByComparingTo("1.5");
        assertThat(read("n1").getLong("event_count")).isEqualTo(5);
    }

    @Test
    void finalRowsWaitForTheCommitterAndOpenRowsCannotReplaceThem() throws Exception {
        CassandraSink<FamilyRow> sink = CassandraSink.<FamilyRow>builder().setConnection(connection)
                .setStatements(new FamilyRollupStatements()).setElementType(TypeInformation.of(FamilyRow.class)).build();
        Collection<FamilyRow> committables;
        try (var w = writer(8)) {
            w.write(row("f", 4, "4", FamilyRow.OPEN), NO_CONTEXT);
            w.write(row("f", 4, "4", FamilyRow.FINAL), NO_CONTEXT);
            w.flush(false);
            assertThat(read("f").getString("status")).isEqualTo("OPEN");
            committables = w.prepareCommit();
            assertThat(committables).hasSize(1);
            assertThat(w.prepareCommit()).isEmpty();
        }
        // committables survive a checkpoint in serialized form
        var serializer = sink.getCommittableSerializer();
        List<FamilyRow> restored = new ArrayList<>();
        for (FamilyRow c : committables) {
            restored.add(serializer.deserialize(serializer.getVersion(), serializer.serialize(c)));
        }
        try (Committer<FamilyRow> committer = sink.createCommitter(COMMITTER_CONTEXT)) {
            List<Committer.CommitRequest<FamilyRow>> requests = new ArrayList<>();
            for (FamilyRow c : restored) {
                requests.add(new Request<>(c));
            }
            committer.commit(requests);
        }
        assertThat(read("f").getString("status")).isEqualTo("FINAL");
        try (var w = writer(8)) {
            w.write(row("f", 4, "4", FamilyRow.OPEN), NO_CONTEXT);
            // an OPEN row of a crashed run with a higher count (and a later attempt) than the FINAL one
            FamilyRow crashed = row("f", 9, "9", FamilyRow.OPEN);
            crashed.writeTimestamp = WriteOrder.openTimestamp(9, 7);
            w.write(crashed, NO_CONTEXT);
            w.flush(false);
        }
        assertThat(read("f").getString("status")).isEqualTo("FINAL");
        assertThat(read("f").getLong("event_count")).isEqualTo(4);
        assertThat(read("f").getBigDecimal("amount")).isEqualByComparingTo("4");

        // and the other way round: a FINAL row with a lower count replaces an OPEN row with a higher one
        try (var w = writer(8)) {
            w.write(row("g", 9, "9", FamilyRow.OPEN), NO_CONTEXT);
            w.flush(false);
        }
        try (Committer<FamilyRow> committer = sink.createCommitter(COMMITTER_CONTEXT)) {
            committer.commit(List.of(new Request<>(row("g", 5, "5", FamilyRow.FINAL))));
        }
        assertThat(read("g").getString("status")).isEqualTo("FINAL");
        assertThat(read("g").getLong("event_count")).isEqualTo(5);
    }

    @Test
    void theFirstAsynchronousFailureIsRethrown() throws Exception {
        try (var w = writer(2)) {
            FamilyRow bad = row("bad", 1, "1", FamilyRow.OPEN);
            bad.nodeId = null; // a partition key component: Cassandra refuses the write
            w.write(bad, NO_CONTEXT);
            assertThatThrownBy(() -> {
                w.flush(false);
            }).isInstanceOf(IOException.class).hasMessageContaining("a Cassandra write failed");
            assertThatThrownBy(() -> w.write(row("after", 1, "1", FamilyRow.OPEN), NO_CONTEXT)).isInstanceOf(IOException.class);
        }
    }

    @Test
    void periodsTurnFinalOnceAndStayFinal() throws Exception {
        try (var w = new CassandraSinkWriter<>(connection, new PeriodStatements(),
                new CassandraSinkWriter.Limits(4, Duration.ofSeconds(30), 10, Duration.ofMillis(100)), new TestProcessingTimeService(),
                UnregisteredMetricsGroup.createSinkWriterMetricGroup())) {
            long wm = Instant.parse("2026-01-20T00:00:00Z").toEpochMilli();
            w.write(new PeriodRow("2026-01", "OPEN", wm, null, wm * 1000), NO_CONTEXT);
            w.flush(false);
            long fin = Instant.parse("2026-02-01T01:00:00Z").toEpochMilli();
            PeriodRow finalRow = new PeriodRow("2026-01", "FINAL", fin, fin, fin * 1000 + 1);
            w.write(finalRow, NO_CONTEXT);
            assertThat(w.prepareCommit()).containsExactly(finalRow);
            CassandraSink<PeriodRow> sink = CassandraSink.<PeriodRow>builder().setConnection(connection)
                    .setStatements(new PeriodStatements()).setElementType(TypeInformation.of(PeriodRow.class)).build();
            try (Committer<PeriodRow> committer = sink.createCommitter(COMMITTER_CONTEXT)) {
                committer.commit(List.of(new Request<>(finalRow)));
            }
            // a restarted job's lower watermark arrives late
            w.write(new PeriodRow("2026-01", "OPEN", wm + 1, null, (wm + 1) * 1000), NO_CONTEXT);
            w.flush(false);
        }
        Row p = session.execute("SELECT status, watermark, final_at FROM " + KEYSPACE + ".periods WHERE period = '2026-01'").one();
        assertThat(p.getString("status")).isEqualTo("FINAL");
        assertThat(p.getInstant("final_at")).isEqualTo(Instant.parse("2026-02-01T01:00:00Z"));
        assertThat(p.getInstant("watermark")).isEqualTo(Instant.parse("2026-02-01T01:00:00Z"));
    }

    private static final class Request<T> implements Committer.CommitRequest<T> {
        private final T committable;

        Request(T committable) {
            this.committable = committable;
        }

        @Override
        public T getCommittable() {
            return committable;
        }

        @Override
        public int getNumberOfRetries() {
            return 0;
        }

        @Override
        public void signalFailedWithKnownReason(Throwable t) {
            throw new AssertionError(t);
        }

        @Override
        public void signalFailedWithUnknownReason(Throwable t) {
            throw new AssertionError(t);
        }

        @Override
        public void retryLater() {
            throw new AssertionError("retry requested");
        }

        @Override
        public void updateAndRetryLater(T committable) {
            throw new AssertionError("retry requested");
        }

        @Override
        public void signalAlreadyCommitted() {}
    }
}
