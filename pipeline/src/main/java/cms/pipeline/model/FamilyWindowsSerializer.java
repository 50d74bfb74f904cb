package cms.pipeline.model;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

import java.io.IOException;
import java.math.BigDecimal;

/**
 * {@link FamilyWindows} in keyed state (the roll-up operator's map values): the part's ids once, then its rows
 * column by column as primitives; a sum that left the long form as {@link StateDecimals}. The heap backend writes
 * every part at every checkpoint, so this is the bulk of a checkpoint's bytes and of its thread's time.
 */
public final class FamilyWindowsSerializer extends TypeSerializerSingleton<FamilyWindows> {
    private static final long serialVersionUID = 1L;
    public static final FamilyWindowsSerializer INSTANCE = new FamilyWindowsSerializer();
    /** The format's version, first in every value: a later format can read this one. */
    private static final int FORMAT = 1;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public FamilyWindows createInstance() {
        return new FamilyWindows();
    }

    @Override
    public FamilyWindows copy(FamilyWindows from) {
        return from.copy();
    }

    @Override
    public FamilyWindows copy(FamilyWindows from, FamilyWindows reuse) {
        return from.copy();
    }

    @Override
    public int getLength() {
        return -1;
    }

    /**
     * A part is encoded into a buffer of the thread's, then written as one length-prefixed block: the checkpoint's
     * stream takes each small write (a byte, an int) through several layers (the profile: 16% of the job's samples in
     * ForwardingOutputStream.write when rows were written field by field).
     */
    private static final ThreadLocal<DataOutputSerializer> BUFFER = ThreadLocal.withInitial(() -> new DataOutputSerializer(4096));

    @Override
    public void serialize(FamilyWindows f, DataOutputView out) throws IOException {
        DataOutputSerializer buffer = BUFFER.get();
        buffer.clear();
        encode(f, buffer);
        out.writeInt(buffer.length());
        out.write(buffer.getSharedBuffer(), 0, buffer.length());
        if (buffer.getSharedBuffer().length > 1 << 20) {
            BUFFER.remove();   // keep no megabytes per thread after an unusually large part
        }
    }

    private static void encode(FamilyWindows f, DataOutputView out) throws IOException {
        out.writeByte(FORMAT);
        out.writeLong(f.dueAt);
        writeStrings(f.children, f.childCount, out);
        writeStrings(f.meters, f.meterCount, out);
        writeStrings(f.currencies, f.currencyCount, out);
        int n = f.size;
        out.writeInt(n);
        for (int r = 0; r < n; r++) {
            out.writeInt(f.child[r]);
            out.writeInt(f.meter[r]);
            out.writeInt(f.currency[r]);
            out.writeByte(f.granularity[r] | (f.dirty[r] ? 0x80 : 0));
            out.writeLong(f.windowStart[r]);
            out.writeLong(f.windowEnd[r]);
            out.writeLong(f.eventCount[r]);
            out.writeLong(f.adjustmentCount[r]);
            if (f.dirty[r]) {
                out.writeLong(f.oldestReceivedAt[r]);
            }
        }
        for (int i = 0; i < FamilyWindows.SUMS; i++) {
            long[] u = f.unscaled[i];
            int[] s = f.scale[i];
            BigDecimal[] b = f.big[i];
            boolean anyBig = false;
            for (int r = 0; r < n && !anyBig; r++) {
                anyBig = b != null && b[r] != null;
            }
            out.writeBoolean(anyBig);
            for (int r = 0; r < n; r++) {
                if (anyBig) {
                    boolean isBig = b[r] != null;
                    out.writeBoolean(isBig);
                    if (isBig) {
                        StateDecimals.write(b[r], out);
                        continue;
                    }
                }
                out.writeInt(s[r]);
                out.writeLong(u[r]);
            }
        }
    }

    @Override
    public FamilyWindows deserialize(DataInputView in) throws IOException {
        byte[] block = new byte[in.readInt()];
        in.readFully(block);
        return decode(new DataInputDeserializer(block));
    }

    private static FamilyWindows decode(DataInputView in) throws IOException {
        int format = in.readByte();
        if (format != FORMAT) {
            throw new IOException("unknown roll-up state format " + format);
        }
        FamilyWindows f = new FamilyWindows();
        f.dueAt = in.readLong();
        f.children = grown(readStrings(in));
        f.childCount = count(f.children);
        f.meters = grown(readStrings(in));
        f.meterCount = count(f.meters);
        f.currencies = grown(readStrings(in));
        f.currencyCount = count(f.currencies);
        int n = in.readInt();
        int capacity = Math.max(2, n);
        f.size = n;
        f.child = new int[capacity];
        f.meter = new int[capacity];
        f.currency = new int[capacity];
        f.granularity = new byte[capacity];
        f.windowStart = new long[capacity];
        f.windowEnd = new long[capacity];
        f.eventCount = new long[capacity];
        f.adjustmentCount = new long[capacity];
        f.dirty = new boolean[capacity];
        f.oldestReceivedAt = new long[capacity];
        int dirtyRows = 0;
        for (int r = 0; r < n; r++) {
            f.child[r] = in.readInt();
            f.meter[r] = in.readInt();
            f.currency[r] = in.readInt();
            int g = in.readUnsignedByte();
            f.granularity[r] = (byte) (g & 0x7F);
            f.dirty[r] = (g & 0x80) != 0;
            f.windowStart[r] = in.readLong();
            f.windowEnd[r] = in.readLong();
            f.eventCount[r] = in.readLong();
            f.adjustmentCount[r] = in.readLong();
            if (f.dirty[r]) {
                f.oldestReceivedAt[r] = in.readLong();
                dirtyRows++;
            }
        }
        f.dirtyRows = dirtyRows;
        for (int i = 0; i < FamilyWindows.SUMS; i++) {
            f.unscaled[i] = new long[capacity];
            f.scale[i] = new int[capacity];
            boolean anyBig = in.readBoolean();
            f.big[i] = anyBig ? new BigDecimal[capacity] : null;
            for (int r = 0; r < n; r++) {
                if (anyBig && in.readBoolean()) {
                    f.big[i][r] = StateDecimals.read(in);
                    continue;
                }
                f.scale[i][r] = in.readInt();
                f.unscaled[i][r] = in.readLong();
            }
        }
        return f;
    }

    private static int count(String[] grown) {
        int n = 0;
        while (n < grown.length && grown[n] != null) {
            n++;
        }
        return n;
    }

    /** A dictionary with room to add to (its ids first, then nulls). */
    private static String[] grown(String[] ids) {
        return java.util.Arrays.copyOf(ids, Math.max(2, ids.length + 1));
    }

    private static void writeStrings(String[] ids, int count, DataOutputView out) throws IOException {
        out.writeInt(count);
        for (int i = 0; i < count; i++) {
            StringValue.writeString(ids[i], out);
        }
    }

    private static String[] readStrings(DataInputView in) throws IOException {
        String[] ids = new String[in.readInt()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = StringValue.readString(in);
        }
        return ids;
    }

    @Override
    public FamilyWindows deserialize(FamilyWindows reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        int length = in.readInt();
        out.writeInt(length);
        out.write(in, length);
    }

    @Override
    public TypeSerializerSnapshot<FamilyWindows> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores the serializer from a checkpoint's snapshot of it. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<FamilyWindows> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
