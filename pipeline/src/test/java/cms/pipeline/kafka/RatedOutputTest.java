package cms.pipeline.kafka;

import cms.avro.DeadLetter;
import cms.avro.DeadLetterReason;
import cms.avro.RatedUsage;
import cms.pipeline.model.PipelineState;
import cms.pipeline.model.EncodedRecord;
import cms.pipeline.model.RatedEvent;
import cms.pipeline.model.RawRecord;
import cms.wire.ConfluentFrame;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Queue;

import static cms.pipeline.Fixtures.usage;
import static org.assertj.core.api.Assertions.assertThat;

class RatedOutputTest {
    private static final long NOW = cms.pipeline.Fixtures.at("2026-01-10T12:00:00Z").toEpochMilli();
    private static final long HOUR = 3_600_000L;

    private static RatedEvent rated(String id, String time, String amount) {
        RatedEvent e = new RatedEvent();
        e.event = usage(id, "s1", "vcpu", "1", time);
        e.tenantId = "t1";
        e.partnerId = "p1";
        e.distributorId = "d1";
        e.priceBookId = "b1";
        e.priceBookVersion = 0;
        e.currency = "EUR";
        e.amount = new BigDecimal(amount);
        e.partnerCommission = BigDecimal.ZERO;
        e.distributorCommission = BigDecimal.ZERO;
        e.period = "2026-01";
        e.bookedPeriod = "2026-01";
        e.source = new RawRecord("cms.usage.v1", 1, 7, NOW, "s1".getBytes(), new byte[] {0, 0, 0, 0, 9, 42});
        return e;
    }

    private static OneInputStreamOperatorTestHarness<RatedEvent, RatedEvent> harness(TopicLimits limits) throws Exception {
        var h = ProcessFunctionTestHarnesses.forProcessFunction(new RatedOutput(KafkaOutput.fixed(limits, 17)));
        h.setProcessingTime(NOW);
        return h;
    }

    private static <T> List<T> side(OneInputStreamOperatorTestHarness<?, ?> h, org.apache.flink.util.OutputTag<T> tag) {
        Queue<StreamRecord<T>> q = h.getSideOutput(tag);
        return q == null ? List.of() : q.stream().map(StreamRecord::getValue).toList();
    }

    @Test
    void aDeliverableEventGoesOnWithoutItsSourceAndItsEncodedRecordToTheSink() throws Exception {
        try (var h = harness(new TopicLimits("rated", 1 << 20, 1 << 20, true, HOUR, Long.MAX_VALUE))) {
            h.processElement(rated("e1", "2026-01-10T11:00:00Z", "1.5"), 0);
            assertThat(h.extractOutputValues()).singleElement().satisfies(e -> assertThat(e.source).isNull());
            EncodedRecord r = side(h, PipelineState.RATED_RECORDS).get(0);
            assertThat(new String(r.key)).isEqualTo("s1");
            assertThat(r.timestamp).isEqualTo(cms.pipeline.Fixtures.at("2026-01-10T11:00:00Z").toEpochMilli());
            ConfluentFrame.Header header = ConfluentFrame.parse(r.value);
            assertThat(header.schemaId()).isEqualTo(17);
            RatedUsage back = new SpecificDatumReader<>(RatedUsage.class).read(null,
                    DecoderFactory.get().binaryDecoder(r.value, header.bodyOffset(), header.bodyLength(), null));
            assertThat(back.getAmount()).isEqualByComparingTo("1.5");
            assertThat(back.getEvent().getEventId()).isEqualTo("e1");
            assertThat(side(h, PipelineState.DEAD_LETTERS)).isEmpty();
        }
    }

    @Test
    void whatTheRatedTopicWouldRefuseIsUndeliverableWithTheOriginalBytesAndReachesNoRollUp() throws Exception {
        int small = 400;
        try (var h = harness(new TopicLimits("rated", 1 << 20, small, true, HOUR, Long.MAX_VALUE))) {
            RatedEvent big = rated("big", "2026-01-10T11:00:00Z", "1");
            big.event.setAttributes(java.util.Map.of("note", "x".repeat(small)));
            h.processElement(big, 0);
            // S-2 as the broker sees it: an event time more than message.timestamp.after.max.ms ahead
            h.processElement(rated("ahead", "2026-01-10T13:00:00.001Z", "1"), 0);
            // an amount beyond decimal(38,18): Avro refuses to encode it
            h.processElement(rated("huge", "2026-01-10T11:00:00Z", "1e21"), 0);
            h.processElement(rated("fine", "2026-01-10T13:00:00Z", "1"), 0);

            assertThat(h.extractOutputValues()).extracting(e -> e.event.getEventId()).containsExactly("fine");
            assertThat(side(h, PipelineState.RATED_RECORDS)).hasSize(1);
            List<DeadLetter> dead = side(h, PipelineState.DEAD_LETTERS);
            assertThat(dead).extracting(DeadLetter::getEventId).containsExactly("big", "ahead", "huge");
            assertThat(dead).allSatisfy(d -> {
                assertThat(d.getReason()).isEqualTo(DeadLetterReason.UNDELIVERABLE);
                assertThat(d.getDetail()).startsWith("rated refuses the rated record: ");
                assertThat(d.getValue()).isEqualTo(ByteBuffer.wrap(new byte[] {0, 0, 0, 0, 9, 42}));
                assertThat(d.getSourcePartition()).isEqualTo(1);
                assertThat(d.getSourceOffset()).isEqualTo(7);
            });
            assertThat(dead.get(0).getDetail()).contains("max.message.bytes " + small);
            assertThat(dead.get(1).getDetail()).contains("message.timestamp.after.max.ms");
            assertThat(dead.get(2).getDetail()).contains("cannot encode it").contains("precision");
        }
    }
}
