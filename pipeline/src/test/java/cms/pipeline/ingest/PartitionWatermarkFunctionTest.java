package cms.pipeline.ingest;

import cms.avro.DeadLetter;
import cms.avro.DeadLetterReason;
import cms.pipeline.model.PipelineState;
import cms.pipeline.model.RawRecord;
import cms.pipeline.model.ValidUsage;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static cms.pipeline.Fixtures.at;
import static cms.pipeline.Fixtures.decoded;
import static cms.pipeline.Fixtures.usage;
import static org.assertj.core.api.Assertions.assertThat;

@SuppressWarnings("try")
class PartitionWatermarkFunctionTest {
    private static final Duration OOO = Duration.ofMinutes(1);
    private static final int MAX_PARALLELISM = 128;
    private static final long NONE = Long.MIN_VALUE;

    private static OneInputStreamOperatorTestHarness<RawRecord, ValidUsage> harness(int parallelism, int subtask,
                                                                                    OperatorSubtaskState restored) throws Exception {
        var h = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new PartitionWatermarkFunction(OOO)),
                MAX_PARALLELISM, parallelism, subtask);
        h.setup();
        h.initializeState(restored);
        h.open();
        return h;
    }

    private static long offset;

    private static RawRecord rec(int partition, String id, String eventTime) {
        return decoded(usage(id, "s" + partition, "m", "1", eventTime), partition, offset++, at(eventTime).toEpochMilli());
    }

    private static long ms(String iso) {
        return at(iso).minus(OOO).toEpochMilli();
    }

    /** pw of every valid record output so far, in order, as "id=pw". */
    private static List<String> pws(OneInputStreamOperatorTestHarness<RawRecord, ValidUsage> h) {
        List<String> out = new ArrayList<>();
        for (ValidUsage u : h.extractOutputValues()) {
            out.add(u.event.getEventId() + "=" + u.partitionWatermark);
        }
        return out;
    }

    @Test
    void eachValidRecordCarriesItsPartitionsMaximumBeforeItMinusTheOutOfOrderness() throws Exception {
        try (var h = harness(1, 0, null)) {
            h.processElement(rec(0, "a", "2026-01-10T10:00:00Z"), 0);
            h.processElement(rec(0, "b", "2026-01-10T10:05:00Z"), 0);
            h.processElement(rec(1, "x", "2026-01-10T08:00:00Z"), 0);
            h.processElement(rec(0, "c", "2026-01-10T09:50:00Z"), 0);  // out of order: the maximum stays
            h.processElement(rec(0, "d", "2026-01-10T10:10:00Z"), 0);
            h.processElement(rec(1, "y", "2026-01-10T08:30:00Z"), 0);
            assertThat(pws(h)).containsExactly(
                    "a=" + NONE, "b=" + ms("2026-01-10T10:00:00Z"), "x=" + NONE,
                    "c=" + ms("2026-01-10T10:05:00Z"), "d=" + ms("2026-01-10T10:05:00Z"), "y=" + ms("2026-01-10T08:00:00Z"));
            // the valid record keeps its coordinates and bytes (for later dead letters), not the decoding outcome
            ValidUsage first = h.extractOutputValues().get(0);
            assertThat(first.source.partition).isZero();
            assertThat(first.source.value).isNotNull();
            assertThat(first.source.event).isNull();
        }
    }

    @Test
    void deadLettersGoToTheSideOutputAndNeverMoveThePartitionWatermark() throws Exception {
        try (var h = harness(1, 0, null)) {
            h.processElement(rec(0, "a", "2026-01-10T10:00:00Z"), 0);
            // an INVALID record with a wild future event time (decoded, but a rule broken), and an undecodable one
            RawRecord future = rec(0, "future", "2026-06-01T00:00:00Z");
            future.failed(DeadLetterReason.INVALID, "eventTime is more than PT1H after the record's timestamp", "future");
            h.processElement(future, 0);
            RawRecord garbage = new RawRecord("cms.usage.v1", 0, 99, 5, "k".getBytes(), new byte[] {7, 1})
                    .failed(DeadLetterReason.UNDECODABLE, "BAD_FRAMING: no magic byte", null);
            h.processElement(garbage, 0);
            h.processElement(rec(0, "b", "2026-01-10T10:01:00Z"), 0);
            assertThat(pws(h)).containsExactly("a=" + NONE, "b=" + ms("2026-01-10T10:00:00Z"));
            List<DeadLetter> dead = h.getSideOutput(PipelineState.DEAD_LETTERS).stream().map(StreamRecord::getValue).toList();
            assertThat(dead).extracting(DeadLetter::getReason).containsExactly(DeadLetterReason.INVALID, DeadLetterReason.UNDECODABLE);
            assertThat(dead.get(0).getEventId()).isEqualTo("future");
            assertThat(dead.get(0).getDetail()).contains("after");
            assertThat(dead.get(1).getSourceOffset()).isEqualTo(99);
            assertThat(dead.get(1).getValue()).isEqualTo(ByteBuffer.wrap(new byte[] {7, 1}));
            assertThat(dead.get(1).getKey()).isEqualTo(ByteBuffer.wrap("k".getBytes()));
            assertThat(dead.get(1).getDetail()).contains("BAD_FRAMING");
        }
    }

    @Test
    void aRestoreResumesEachPartitionExactlyAsAnUninterruptedRun() throws Exception {
        List<RawRecord> records = List.of(rec(0, "a", "2026-01-10T10:00:00Z"), rec(1, "b", "2026-01-10T07:00:00Z"),
                rec(0, "c", "2026-01-10T11:00:00Z"), rec(1, "d", "2026-01-10T06:00:00Z"),
                rec(0, "e", "2026-01-10T10:30:00Z"), rec(1, "f", "2026-01-10T08:00:00Z"));
        List<String> uninterrupted;
        try (var h = harness(1, 0, null)) {
            for (RawRecord r : records) {
                h.processElement(r, 0);
            }
            uninterrupted = pws(h);
        }
        List<String> restarted = new ArrayList<>();
        OperatorSubtaskState snapshot;
        try (var h = harness(1, 0, null)) {
            for (RawRecord r : records.subList(0, 3)) {
                h.processElement(r, 0);
            }
            restarted.addAll(pws(h));
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness(1, 0, snapshot)) {
            for (RawRecord r : records.subList(3, records.size())) {
                h.processElement(r, 0);
            }
            restarted.addAll(pws(h));
        }
        assertThat(restarted).isEqualTo(uninterrupted);
    }

    @Test
    void theUnionStateGivesEverySubtaskEveryPartitionsMaximumAlsoWithAnotherParallelism() throws Exception {
        // one subtask reads both partitions up to a checkpoint
        OperatorSubtaskState first;
        try (var h = harness(1, 0, null)) {
            h.processElement(rec(0, "a", "2026-01-10T10:00:00Z"), 0);
            h.processElement(rec(1, "b", "2026-01-10T07:00:00Z"), 0);
            first = h.snapshot(1, 1);
        }
        // restored with parallelism 2: subtask 0 reads partition 0 on, subtask 1 partition 1; each also keeps
        // the other partition's (now stale) maximum, which the next restore must merge with max
        OperatorSubtaskState s0;
        OperatorSubtaskState s1;
        try (var h0 = harness(2, 0, AbstractStreamOperatorTestHarness.repartitionOperatorState(first, MAX_PARALLELISM, 1, 2, 0));
             var h1 = harness(2, 1, AbstractStreamOperatorTestHarness.repartitionOperatorState(first, MAX_PARALLELISM, 1, 2, 1))) {
            h0.processElement(rec(0, "c", "2026-01-10T12:00:00Z"), 0);
            h1.processElement(rec(1, "d", "2026-01-10T06:00:00Z"), 0);
            h1.processElement(rec(1, "e", "2026-01-10T09:00:00Z"), 0);
            assertThat(pws(h0)).containsExactly("c=" + ms("2026-01-10T10:00:00Z"));
            assertThat(pws(h1)).containsExactly("d=" + ms("2026-01-10T07:00:00Z"), "e=" + ms("2026-01-10T07:00:00Z"));
            s0 = h0.snapshot(2, 2);
            s1 = h1.snapshot(2, 2);
        }
        OperatorSubtaskState both = AbstractStreamOperatorTestHarness.repackageState(s0, s1);
        // restored with parallelism 3: whichever subtask reads a partition now, it resumes from that partition's maximum
        for (int subtask = 0; subtask < 3; subtask++) {
            try (var h = harness(3, subtask, AbstractStreamOperatorTestHarness.repartitionOperatorState(both, MAX_PARALLELISM, 2, 3, subtask))) {
                h.processElement(rec(0, "p0", "2026-01-10T11:00:00Z"), 0);
                h.processElement(rec(1, "p1", "2026-01-10T11:00:00Z"), 0);
                h.processElement(rec(2, "p2", "2026-01-10T11:00:00Z"), 0);
                assertThat(pws(h)).as("subtask " + subtask + " of 3").containsExactly(
                        "p0=" + ms("2026-01-10T12:00:00Z"), "p1=" + ms("2026-01-10T09:00:00Z"), "p2=" + NONE);
            }
        }
    }
}
