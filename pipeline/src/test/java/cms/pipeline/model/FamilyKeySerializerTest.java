package cms.pipeline.model;

import cms.avro.NodeLevel;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink's own serializer contract (copies, sequences, snapshots, duplicates) over roll-up state keys. */
class FamilyKeySerializerTest extends SerializerTestBase<FamilyKey> {
    @Override
    protected TypeSerializer<FamilyKey> createSerializer() {
        return FamilyKeySerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<FamilyKey> getTypeClass() {
        return FamilyKey.class;
    }

    @Override
    protected FamilyKey[] getTestData() {
        return new FamilyKey[] {
                new FamilyKey(NodeLevel.SUBSCRIPTION, "t1"),
                new FamilyKey(NodeLevel.TENANT, "p-ü-日本"),
                new FamilyKey(NodeLevel.PARTNER, "d"),
                new FamilyKey(NodeLevel.DISTRIBUTOR, "x".repeat(300)),
        };
    }
}
