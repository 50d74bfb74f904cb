package cms.pipeline.model;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

import java.io.IOException;

/** {@link FamilyKey} in keyed state (the roll-up operator's map keys): a level byte and the head; immutable, so copies share it. */
public final class FamilyKeySerializer extends TypeSerializerSingleton<FamilyKey> {
    private static final long serialVersionUID = 1L;
    public static final FamilyKeySerializer INSTANCE = new FamilyKeySerializer();

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public FamilyKey createInstance() {
        return new FamilyKey(0, "");
    }

    @Override
    public FamilyKey copy(FamilyKey from) {
        return from;
    }

    @Override
    public FamilyKey copy(FamilyKey from, FamilyKey reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(FamilyKey k, DataOutputView out) throws IOException {
        out.writeByte(k.rowLevel);
        StringValue.writeString(k.head, out);
    }

    @Override
    public FamilyKey deserialize(DataInputView in) throws IOException {
        int level = in.readByte();
        return new FamilyKey(level, StringValue.readString(in));
    }

    @Override
    public FamilyKey deserialize(FamilyKey reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        out.writeByte(in.readByte());
        StringValue.copyString(in, out);
    }

    @Override
    public TypeSerializerSnapshot<FamilyKey> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores the serializer from a checkpoint's snapshot of it. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<FamilyKey> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
