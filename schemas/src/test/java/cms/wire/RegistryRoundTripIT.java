package cms.wire;

import cms.avro.UsageEvent;
import cms.registry.SchemaRegistryClient;
import cms.registry.SchemaRegistryException;
import cms.stack.LocalStackAddresses;
import cms.topics.Topics;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Our serde and registry client against the real registry of the local stack (Apicurio, Confluent API). */
class RegistryRoundTripIT {
    private final SchemaRegistryClient registry =
            new SchemaRegistryClient(SchemaRegistryClient.Config.of(LocalStackAddresses.fromEnvironment().registryUrl()));
    private final AvroSerializer serializer = new AvroSerializer(registry, true);
    private final AvroDeserializer<UsageEvent> deserializer = new AvroDeserializer<>(registry, UsageEvent.class);
    private final String topic = "it-roundtrip-" + UUID.randomUUID();

    private static UsageEvent event() {
        return UsageEvent.newBuilder()
                .setEventId("evt-1").setSubscriptionId("sub-1").setMeterId("storage.gb.hours")
                .setQuantity(new BigDecimal("12345678901234567.123456789"))
                .setEventTime(Instant.parse("2026-11-25T10:15:30.123Z"))
                .setRegion("eu-west").setResourceId(null).setAttributes(Map.of("disk", "ssd"))
                .build();
    }

    @Test
    void roundTripThroughTheRegistry() {
        UsageEvent sent = event();
        byte[] bytes = serializer.serialize(topic, sent);

        assertThat(deserializer.deserialize(bytes)).isEqualTo(sent);

        int id = ConfluentFrame.parse(bytes).schemaId();
        String subject = Topics.valueSubject(topic);
        assertThat(registry.lookup(subject, UsageEvent.getClassSchema())).isEqualTo(id);
        assertThat(registry.latest(subject).id()).isEqualTo(id);
        // a fresh client (nothing cached) fetches the same schema by id
        SchemaRegistryClient fresh = new SchemaRegistryClient(registry.config());
        assertThat(fresh.schemaById(id)).isEqualTo(UsageEvent.getClassSchema());
    }

    @Test
    void goldenBodyDecodesWithTheRegisteredId() {
        int id = registry.register(Topics.valueSubject(topic), UsageEvent.getClassSchema());
        byte[] frame = ConfluentFrame.frame(id, ConfluentFrameTest.GOLDEN_BODY);
        assertThat(deserializer.deserialize(frame)).isEqualTo(ConfluentFrameTest.goldenEvent());
    }

    /** An early producer's schema: no region, resourceId or attributes yet. */
    @Test
    void readsAnOlderCompatibleWriterSchema() {
        Schema v0 = SchemaBuilder.record("UsageEvent").namespace("cms.avro").fields()
                .requiredString("eventId")
                .requiredString("subscriptionId")
                .requiredString("meterId")
                .name("quantity").type(decimal(28, 9)).noDefault()
                .name("eventTime").type(timestampMillis()).noDefault()
                .endRecord();
        GenericRecord old = new GenericData.Record(v0);
        old.put("eventId", "old-1");
        old.put("subscriptionId", "sub-9");
        old.put("meterId", "compute.vcpu.hours");
        old.put("quantity", new BigDecimal("2.000000001"));
        old.put("eventTime", Instant.parse("2026-01-31T23:59:59.999Z"));

        UsageEvent read = deserializer.deserialize(serializer.serialize(topic, old));

        assertThat(read.getEventId()).isEqualTo("old-1");
        assertThat(read.getSubscriptionId()).isEqualTo("sub-9");
        assertThat(read.getMeterId()).isEqualTo("compute.vcpu.hours");
        assertThat(read.getQuantity()).isEqualByComparingTo("2.000000001");
        assertThat(read.getEventTime()).isEqualTo(Instant.parse("2026-01-31T23:59:59.999Z"));
        assertThat(read.getRegion()).isNull();
        assertThat(read.getResourceId()).isNull();
        assertThat(read.getAttributes()).isEmpty();
    }

    /** A later producer's schema: fields reordered, one new field with a default we do not know about. */
    @Test
    void readsANewerCompatibleWriterSchema() {
        Schema v2 = SchemaBuilder.record("UsageEvent").namespace("cms.avro").fields()
                .name("unit").type().stringType().stringDefault("hours")
                .requiredString("meterId")
                .requiredString("eventId")
                .name("quantity").type(decimal(28, 9)).noDefault()
                .requiredString("subscriptionId")
                .name("eventTime").type(timestampMillis()).noDefault()
                .name("region").type().nullable().stringType().noDefault()
                .name("resourceId").type().nullable().stringType().noDefault()
                .name("attributes").type().map().values().stringType().mapDefault(Map.of())
                .name("priority").type().intType().intDefault(0)
                .endRecord();
        GenericRecord newer = new GenericData.Record(v2);
        newer.put("unit", "vcpu-hours");
        newer.put("meterId", "compute.vcpu.hours");
        newer.put("eventId", "new-1");
        newer.put("quantity", new BigDecimal("0.000000001"));
        newer.put("subscriptionId", "sub-2");
        newer.put("eventTime", Instant.parse("2026-02-01T00:00:00Z"));
        newer.put("region", "us-east");
        newer.put("resourceId", "vm-7");
        newer.put("attributes", Map.of("a", "b"));
        newer.put("priority", 3);

        UsageEvent read = deserializer.deserialize(serializer.serialize(topic, newer));

        assertThat(read).isEqualTo(UsageEvent.newBuilder()
                .setEventId("new-1").setSubscriptionId("sub-2").setMeterId("compute.vcpu.hours")
                .setQuantity(new BigDecimal("0.000000001")).setEventTime(Instant.parse("2026-02-01T00:00:00Z"))
                .setRegion("us-east").setResourceId("vm-7").setAttributes(Map.of("a", "b")).build());
    }

    @Test
    void incompatibleWriterSchemaIsUndecodable() {
        Schema textQuantity = SchemaBuilder.record("UsageEvent").namespace("cms.avro").fields()
                .requiredString("eventId").requiredString("subscriptionId").requiredString("meterId")
                .requiredString("quantity")
                .name("eventTime").type(timestampMillis()).noDefault()
                .endRecord();
        GenericRecord r = new GenericData.Record(textQuantity);
        r.put("eventId", "x");
        r.put("subscriptionId", "s");
        r.put("meterId", "m");
        r.put("quantity", "lots");
        r.put("eventTime", Instant.EPOCH);
        byte[] bytes = serializer.serialize("it-other-" + UUID.randomUUID(), r);

        assertThatThrownBy(() -> deserializer.deserialize(bytes))
                .isInstanceOfSatisfying(UndecodableRecordException.class,
                        e -> assertThat(e.problem()).isEqualTo(UndecodableRecordException.Problem.INCOMPATIBLE_SCHEMA))
                .hasMessageContaining("quantity");
    }

    @Test
    void decimalOfAnotherScaleIsNotReadSilentlyWrong() {
        Schema scale2 = SchemaBuilder.record("UsageEvent").namespace("cms.avro").fields()
                .requiredString("eventId").requiredString("subscriptionId").requiredString("meterId")
                .name("quantity").type(decimal(10, 2)).noDefault()
                .name("eventTime").type(timestampMillis()).noDefault()
                .endRecord();
        GenericRecord r = new GenericData.Record(scale2);
        r.put("eventId", "x");
        r.put("subscriptionId", "s");
        r.put("meterId", "m");
        r.put("quantity", new BigDecimal("1.50"));
        r.put("eventTime", Instant.EPOCH);
        byte[] bytes = serializer.serialize("it-other-" + UUID.randomUUID(), r);

        assertThatThrownBy(() -> deserializer.deserialize(bytes))
                .isInstanceOfSatisfying(UndecodableRecordException.class,
                        e -> assertThat(e.problem()).isEqualTo(UndecodableRecordException.Problem.INCOMPATIBLE_SCHEMA))
                .hasMessageContaining("UsageEvent.quantity (scale 2, expected 9)");
    }

    @Test
    void unknownSchemaIdIsUndecodable() {
        byte[] frame = ConfluentFrame.frame(987_654_321, ConfluentFrameTest.GOLDEN_BODY);
        assertThatThrownBy(() -> deserializer.deserialize(frame))
                .isInstanceOfSatisfying(UndecodableRecordException.class, e -> {
                    assertThat(e.problem()).isEqualTo(UndecodableRecordException.Problem.UNKNOWN_SCHEMA_ID);
                    assertThat(e.schemaId()).isEqualTo(987_654_321);
                })
                .hasMessageContaining("987654321");
    }

    @Test
    void corruptBodiesAreUndecodable() {
        byte[] good = serializer.serialize(topic, event());

        byte[] truncated = Arrays.copyOf(good, good.length - 3);
        byte[] trailing = Arrays.copyOf(good, good.length + 2);
        byte[] hugeString = good.clone();
        // the first field's length prefix claims a 2^30-byte string: must not allocate it
        byte[] varint = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08};
        hugeString = concat(Arrays.copyOf(hugeString, 5), varint, Arrays.copyOfRange(good, 6, good.length));
        byte[] negativeLength = concat(Arrays.copyOf(good, 5), new byte[] {0x03}, Arrays.copyOfRange(good, 6, good.length));

        for (byte[] corrupt : new byte[][] {truncated, trailing, hugeString, negativeLength}) {
            assertThatThrownBy(() -> deserializer.deserialize(corrupt))
                    .isInstanceOfSatisfying(UndecodableRecordException.class,
                            e -> assertThat(e.problem()).isEqualTo(UndecodableRecordException.Problem.CORRUPT_PAYLOAD));
        }
    }

    @Test
    void registryRefusesAnIncompatibleNewVersionOfTheUsageSubject() {
        String subject = Topics.valueSubject("it-compat-" + UUID.randomUUID());
        registry.register(subject, UsageEvent.getClassSchema());
        registry.setCompatibility(subject, "BACKWARD");
        // a new required field without a default cannot read the old data
        Schema breaking = SchemaBuilder.record("UsageEvent").namespace("cms.avro").fields()
                .requiredString("eventId").requiredString("tenantId").endRecord();

        assertThatThrownBy(() -> registry.register(subject, breaking))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.isIncompatible()).isTrue());
        assertThatThrownBy(() -> registry.lookup(subject, breaking))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.isNotFound()).isTrue());
    }

    private static Schema decimal(int precision, int scale) {
        return org.apache.avro.LogicalTypes.decimal(precision, scale).addToSchema(Schema.create(Schema.Type.BYTES));
    }

    private static Schema timestampMillis() {
        return org.apache.avro.LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG));
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
