package cms.pipeline.model;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/**
 * {@link SlotSums} in keyed state (the roll-up operator's map values), field by field without reflection,
 * decimals as {@link StateDecimals} (a scale and a long for nearly every value). A copy shares the immutable
 * decimals.
 */
public final class SlotSumsSerializer extends TypeSerializerSingleton<SlotSums> {
    private static final long serialVersionUID = 1L;
    public static final SlotSumsSerializer INSTANCE = new SlotSumsSerializer();

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public SlotSums createInstance() {
        return new SlotSums();
    }

    @Override
    public SlotSums copy(SlotSums from) {
        SlotSums to = new SlotSums();
        copyInto(from, to);
        return to;
    }

    @Override
    public SlotSums copy(SlotSums from, SlotSums reuse) {
        copyInto(from, reuse);
        return reuse;
    }

    private static void copyInto(SlotSums from, SlotSums to) {
        to.windowEnd = from.windowEnd;
        to.eventCount = from.eventCount;
        to.quantity = from.quantity;
        to.amount = from.amount;
        to.partnerCommission = from.partnerCommission;
        to.distributorCommission = from.distributorCommission;
        to.adjustmentCount = from.adjustmentCount;
        to.adjustmentAmount = from.adjustmentAmount;
        to.dirty = from.dirty;
        to.dueAt = from.dueAt;
        to.oldestReceivedAt = from.oldestReceivedAt;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(SlotSums s, DataOutputView out) throws IOException {
        out.writeLong(s.windowEnd);
        out.writeLong(s.eventCount);
        out.writeLong(s.adjustmentCount);
        out.writeBoolean(s.dirty);
        out.writeLong(s.dueAt);
        out.writeLong(s.oldestReceivedAt);
        StateDecimals.write(s.quantity, out);
        StateDecimals.write(s.amount, out);
        StateDecimals.write(s.partnerCommission, out);
        StateDecimals.write(s.distributorCommission, out);
        StateDecimals.write(s.adjustmentAmount, out);
    }

    @Override
    public SlotSums deserialize(DataInputView in) throws IOException {
        return deserialize(new SlotSums(), in);
    }

    @Override
    public SlotSums deserialize(SlotSums reuse, DataInputView in) throws IOException {
        reuse.windowEnd = in.readLong();
        reuse.eventCount = in.readLong();
        reuse.adjustmentCount = in.readLong();
        reuse.dirty = in.readBoolean();
        reuse.dueAt = in.readLong();
        reuse.oldestReceivedAt = in.readLong();
        reuse.quantity = StateDecimals.read(in);
        reuse.amount = StateDecimals.read(in);
        reuse.partnerCommission = StateDecimals.read(in);
        reuse.distributorCommission = StateDecimals.read(in);
        reuse.adjustmentAmount = StateDecimals.read(in);
        return reuse;
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        out.write(in, 5 * Long.BYTES + 1);
        for (int i = 0; i < 5; i++) {
            StateDecimals.copy(in, out);
        }
    }

    @Override
    public TypeSerializerSnapshot<SlotSums> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores the serializer from a checkpoint's snapshot of it. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<SlotSums> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
