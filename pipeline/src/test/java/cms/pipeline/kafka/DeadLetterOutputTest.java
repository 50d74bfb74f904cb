package cms.pipeline.kafka;

import cms.avro.DeadLetter;
import cms.avro.DeadLetterReason;
import cms.pipeline.model.EncodedRecord;
import cms.pipeline.model.RawRecord;
import cms.pipeline.model.DeadLetters;
import cms.wire.ConfluentFrame;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DeadLetterOutputTest {
    private static DeadLetter decode(EncodedRecord r) throws Exception {
        ConfluentFrame.Header header = ConfluentFrame.parse(r.value);
        return new SpecificDatumReader<>(DeadLetter.class).read(null,
                DecoderFactory.get().binaryDecoder(r.value, header.bodyOffset(), header.bodyLength(), null));
    }

    private static List<EncodedRecord> run(int maxMessageBytes, DeadLetter... letters) throws Exception {
        try (var h = ProcessFunctionTestHarnesses.forProcessFunction(
                new DeadLetterOutput(KafkaOutput.fixed(new TopicLimits("dead", 8 << 20, maxMessageBytes, true, 3_600_000L, Long.MAX_VALUE), 5)))) {
            for (DeadLetter d : letters) {
                h.processElement(d, 0);
            }
            return h.extractOutputValues();
        }
    }

    private static DeadLetter letter(int keyBytes, int valueBytes) {
        return DeadLetters.of(DeadLetterReason.INVALID, "record is too large", new RawRecord("usage", 0, 3, 1000L,
                keyBytes < 0 ? null : new byte[keyBytes], new byte[valueBytes]), null);
    }

    @Test
    void aDeadLetterTheTopicTakesKeepsTheOriginalKeyAndBytesUntouched() throws Exception {
        EncodedRecord r = run(10_000, letter(3, 5000)).get(0);
        assertThat(r.key).hasSize(3);
        assertThat(r.timestamp).as("stamped by the producer").isNull();
        DeadLetter d = decode(r);
        assertThat(d.getReason()).isEqualTo(DeadLetterReason.INVALID);
        assertThat(d.getValue()).isEqualTo(ByteBuffer.wrap(new byte[5000]));
    }

    @Test
    void oneTheTopicRefusesIsWrittenWithoutTheOriginalValueThenWithoutTheKeyAndSaysSo() throws Exception {
        List<EncodedRecord> out = run(3000, letter(3, 5000), letter(2000, 100), letter(-1, 10));
        assertThat(out).hasSize(3);
        DeadLetter withoutValue = decode(out.get(0));
        assertThat(withoutValue.getReason()).isEqualTo(DeadLetterReason.UNDELIVERABLE);
        assertThat(withoutValue.getValue()).isNull();
        assertThat(withoutValue.getKey()).isEqualTo(ByteBuffer.wrap(new byte[3]));
        assertThat(withoutValue.getDetail()).startsWith("dead refuses the dead letter: ").contains("max.message.bytes 3000")
                .contains("5000 original value bytes").contains("it was INVALID: record is too large");
        assertThat(withoutValue.getSourceOffset()).isEqualTo(3);
        DeadLetter withoutKey = decode(out.get(1));
        assertThat(out.get(1).key).isNull();
        assertThat(withoutKey.getKey()).isNull();
        assertThat(withoutKey.getValue()).isNull();
        assertThat(decode(out.get(2)).getReason()).isEqualTo(DeadLetterReason.INVALID);
    }

    @Test
    void detailsAreBoundedAndAnOverlongEventIdIsNoId() {
        DeadLetter d = DeadLetters.of(DeadLetterReason.INVALID, "x".repeat(100_000), new RawRecord("usage", 0, 1, 1L, null, null),
                "e".repeat(129));
        assertThat(d.getDetail()).hasSizeLessThanOrEqualTo(DeadLetters.MAX_DETAIL_LENGTH).endsWith("(100000 chars)");
        assertThat(d.getEventId()).isNull();
        assertThat(DeadLetters.of(DeadLetterReason.INVALID, "d", new RawRecord("usage", 0, 1, 1L, null, null), "e".repeat(128))
                .getEventId()).hasSize(128);
    }
}
