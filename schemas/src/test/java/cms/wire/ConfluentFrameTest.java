package cms.wire;

import cms.avro.UsageEvent;
import cms.registry.SchemaRegistryClient;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The framing and Avro body byte for byte, computed by hand from the two specifications. */
class ConfluentFrameTest {

    /** eventId "e1", subscriptionId "s1", meterId "m", quantity 1.5, eventTime 1000 ms, region null, resourceId "r", no attributes. */
    static final byte[] GOLDEN_BODY = {
            0x04, 'e', '1',                    // string: zigzag length 2, bytes
            0x04, 's', '1',
            0x02, 'm',
            0x08, 0x59, 0x68, 0x2F, 0x00,      // decimal(28,9) 1.5 = unscaled 1500000000 = 0x59682F00, 4 bytes
            (byte) 0xD0, 0x0F,                 // timestamp-millis 1000: zigzag 2000 as varint
            0x00,                              // region: union branch 0 (null)
            0x02, 0x02, 'r',                   // resourceId: union branch 1 (string), "r"
            0x00                               // attributes: empty map (block count 0)
    };

    static UsageEvent goldenEvent() {
        return UsageEvent.newBuilder()
                .setEventId("e1").setSubscriptionId("s1").setMeterId("m")
                .setQuantity(new BigDecimal("1.500000000"))
                .setEventTime(Instant.ofEpochMilli(1000))
                .setRegion(null).setResourceId("r").setAttributes(Map.of())
                .build();
    }

    // A client of a registry nobody runs: these tests must fail before any registry call.
    private final SchemaRegistryClient noRegistry = new SchemaRegistryClient(SchemaRegistryClient.Config.of("http://127.0.0.1:1"));

    @Test
    void encodesTheGoldenBytes() {
        byte[] framed = new AvroSerializer(noRegistry, false).encode(7, goldenEvent());

        byte[] expected = new byte[5 + GOLDEN_BODY.length];
        expected[4] = 7; // magic 0, then schema id 7 as four big-endian bytes
        System.arraycopy(GOLDEN_BODY, 0, expected, 5, GOLDEN_BODY.length);
        assertThat(framed).containsExactly(expected);
    }

    @Test
    void quantityWithFewerDecimalsIsWidenedToTheSchemaScale() {
        UsageEvent event = goldenEvent();
        event.setQuantity(new BigDecimal("1.5"));
        assertThat(new AvroSerializer(noRegistry, false).encode(7, event)).endsWith(GOLDEN_BODY);
    }

    @Test
    void headerCarriesTheSchemaIdBigEndian() {
        byte[] frame = ConfluentFrame.frame(0x01020304, new byte[] {42});
        assertThat(frame).containsExactly(0, 1, 2, 3, 4, 42);
        ConfluentFrame.Header header = ConfluentFrame.parse(frame);
        assertThat(header.schemaId()).isEqualTo(0x01020304);
        assertThat(header.bodyOffset()).isEqualTo(5);
        assertThat(header.bodyLength()).isEqualTo(1);
    }

    @Test
    void largestSchemaIdsSurviveTheRoundTrip() {
        assertThat(ConfluentFrame.parse(ConfluentFrame.frame(Integer.MAX_VALUE, new byte[0])).schemaId()).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void tooShortIsBadFraming() {
        assertProblem(new byte[] {0, 0, 0, 1}, UndecodableRecordException.Problem.BAD_FRAMING, "shorter than the 5-byte");
    }

    @Test
    void wrongMagicIsBadFraming() {
        assertProblem(new byte[] {1, 0, 0, 0, 7, 2, 'x'}, UndecodableRecordException.Problem.BAD_FRAMING, "magic byte is 0x01");
    }

    @Test
    void plainJsonIsBadFraming() {
        assertProblem("{\"eventId\":\"x\"}".getBytes(), UndecodableRecordException.Problem.BAD_FRAMING, "magic byte is 0x7b");
    }

    @Test
    void nullIsNoValue() {
        assertProblem(null, UndecodableRecordException.Problem.NO_VALUE, "no value");
    }

    private void assertProblem(byte[] bytes, UndecodableRecordException.Problem problem, String message) {
        AvroDeserializer<UsageEvent> deserializer = new AvroDeserializer<>(noRegistry, UsageEvent.class);
        assertThatThrownBy(() -> deserializer.deserialize(bytes))
                .isInstanceOfSatisfying(UndecodableRecordException.class, e -> {
                    assertThat(e.problem()).isEqualTo(problem);
                    assertThat(e.schemaId()).isEqualTo(-1);
                })
                .hasMessageContaining(message);
    }
}
