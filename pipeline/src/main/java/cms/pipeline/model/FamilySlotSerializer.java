package cms.pipeline.model;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.types.StringValue;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/**
 * {@link FamilySlot} in keyed state (the roll-up operator's map keys), field by field without reflection:
 * Flink's PojoSerializer reads and writes every field through reflection and copies with it, and the heap
 * backend copies a distributor's whole map on the first access after each checkpoint. Immutable strings
 * are shared by a copy.
 */
public final class FamilySlotSerializer extends TypeSerializerSingleton<FamilySlot> {
    private static final long serialVersionUID = 1L;
    public static final FamilySlotSerializer INSTANCE = new FamilySlotSerializer();

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public FamilySlot createInstance() {
        return new FamilySlot();
    }

    @Override
    public FamilySlot copy(FamilySlot from) {
        FamilySlot to = new FamilySlot();
        copyInto(from, to);
        return to;
    }

    @Override
    public FamilySlot copy(FamilySlot from, FamilySlot reuse) {
        copyInto(from, reuse);
        return reuse;
    }

    private static void copyInto(FamilySlot from, FamilySlot to) {
        to.family = from.family;
        to.head = from.head;
        to.child = from.child;
        to.granularity = from.granularity;
        to.windowStart = from.windowStart;
        to.meterId = from.meterId;
        to.currency = from.currency;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(FamilySlot s, DataOutputView out) throws IOException {
        out.writeByte(s.family);
        out.writeByte(s.granularity);
        out.writeLong(s.windowStart);
        StringValue.writeString(s.head, out);
        StringValue.writeString(s.child, out);
        StringValue.writeString(s.meterId, out);
        StringValue.writeString(s.currency, out);
    }

    @Override
    public FamilySlot deserialize(DataInputView in) throws IOException {
        return deserialize(new FamilySlot(), in);
    }

    @Override
    public FamilySlot deserialize(FamilySlot reuse, DataInputView in) throws IOException {
        reuse.family = in.readByte();
        reuse.granularity = in.readByte();
        reuse.windowStart = in.readLong();
        reuse.head = StringValue.readString(in);
        reuse.child = StringValue.readString(in);
        reuse.meterId = StringValue.readString(in);
        reuse.currency = StringValue.readString(in);
        return reuse;
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        out.writeShort(in.readShort());
        out.writeLong(in.readLong());
        for (int i = 0; i < 4; i++) {
            StringValue.copyString(in, out);
        }
    }

    @Override
    public TypeSerializerSnapshot<FamilySlot> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores the serializer from a checkpoint's snapshot of it. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<FamilySlot> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
