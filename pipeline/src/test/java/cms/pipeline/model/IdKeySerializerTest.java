package cms.pipeline.model;

import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink's own serializer contract over ids as state keys, beyond ASCII and long. */
class IdKeySerializerTest extends SerializerTestBase<String> {
    @Override
    protected TypeSerializer<String> createSerializer() {
        return IdKeySerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<String> getTypeClass() {
        return String.class;
    }

    @Override
    protected String[] getTestData() {
        return new String[] {"", "s-1", "sub-ü-日本-\uD83D\uDE00", "x".repeat(5_000)};
    }
}
