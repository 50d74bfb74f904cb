package cms.pipeline.model;

import cms.pipeline.Fixtures;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static cms.pipeline.Fixtures.usage;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Everything that travels or sits in state is a Flink POJO with Avro fields or has a serializer of its own, never
 * Kryo: the roll-up state (FamilyKey, FamilyWindows), the rating stage's (SubscriptionState, its keys) and the records
 * of the exchanges (ValidUsage, RatedEvent: WireFormatTest) have theirs (their tests beside this one).
 */
class TypesTest {
    @ParameterizedTest
    @ValueSource(classes = {RawRecord.class, PartitionProgress.class, PendingUsage.class, ReferenceUpdate.class, FamilyRow.class, PeriodRow.class, cms.pipeline.model.EncodedRecord.class})
    void isAPojoWithoutGenericFields(Class<?> type) {
        TypeInformation<?> info = TypeInformation.of(type);
        assertThat(info).isInstanceOf(PojoTypeInfo.class);
        PojoTypeInfo<?> pojo = (PojoTypeInfo<?>) info;
        for (int i = 0; i < pojo.getArity(); i++) {
            assertThat(pojo.getTypeAt(i)).as(type.getSimpleName() + "." + pojo.getPojoFieldAt(i).getField().getName())
                    .isNotInstanceOf(GenericTypeInfo.class);
        }
    }

    @Test
    void avroFieldsRoundTripWithLogicalTypes() throws Exception {
        ValidUsage v = Fixtures.valid(usage("e1", "s1", "m", "1.234567891", "2026-01-10T10:00:00Z", "eu"));
        TypeSerializer<ValidUsage> s = TypeInformation.of(ValidUsage.class).createSerializer(new ExecutionConfig().getSerializerConfig());
        DataOutputSerializer out = new DataOutputSerializer(256);
        s.serialize(v, out);
        ValidUsage back = s.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(back.event).isEqualTo(v.event);
        assertThat(back.event.getQuantity()).isEqualTo(v.event.getQuantity());
        assertThat(back.source).isEqualTo(v.source);
        assertThat(back.partitionWatermark).isEqualTo(Long.MIN_VALUE);

        // a decoded record as the source emits it, valid and failed
        TypeSerializer<RawRecord> rs = TypeInformation.of(RawRecord.class).createSerializer(new ExecutionConfig().getSerializerConfig());
        for (RawRecord r : new RawRecord[] {Fixtures.decoded(v.event, 1, 7, 1000),
                new RawRecord("t", 0, 1, 2, null, new byte[] {1}).failed(cms.avro.DeadLetterReason.INVALID, "bad", "e1")}) {
            DataOutputSerializer o = new DataOutputSerializer(256);
            rs.serialize(r, o);
            assertThat(rs.deserialize(new DataInputDeserializer(o.getCopyOfBuffer()))).isEqualTo(r);
        }
    }
}
