package cms.pipeline.model;

import cms.avro.NodeLevel;
import cms.cassandra.FamilyRollups;
import cms.rollup.Granularity;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink's own serializer contract (copies, sequences, snapshots, duplicates) over roll-up state keys. */
class FamilySlotSerializerTest extends SerializerTestBase<FamilySlot> {
    @Override
    protected TypeSerializer<FamilySlot> createSerializer() {
        return FamilySlotSerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<FamilySlot> getTypeClass() {
        return FamilySlot.class;
    }

    @Override
    protected FamilySlot[] getTestData() {
        return new FamilySlot[] {
                new FamilySlot(NodeLevel.TENANT, "t1", "s1", Granularity.HOUR, 1_767_225_600_000L, "compute.vcpu.hours", "EUR"),
                new FamilySlot(NodeLevel.PARTNER, "p-ü", "t-日本", Granularity.DAY, 0L, "m", "JPY"),
                new FamilySlot(NodeLevel.DISTRIBUTOR, "d", FamilyRollups.OWN, Granularity.MONTH, -86_400_000L, "", "USD"),
                new FamilySlot(NodeLevel.DISTRIBUTOR, "x".repeat(64), "y".repeat(64), Granularity.MONTH, Long.MAX_VALUE, "z".repeat(256), "CHF"),
        };
    }
}
