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
 * {@link SubscriptionState} in keyed state (the rating operator's one value per subscription): encoded into a buffer
 * of the thread's and written as one length-prefixed block, as {@link FamilyWindowsSerializer} does, because the
 * checkpoint's stream takes each small write through several layers. The heap backend writes every subscription at
 * every checkpoint.
 */
public final class SubscriptionStateSerializer extends TypeSerializerSingleton<SubscriptionState> {
    private static final long serialVersionUID = 1L;
    public static final SubscriptionStateSerializer INSTANCE = new SubscriptionStateSerializer();
    /** The format's version, first in every value: a later format can read this one. */
    private static final int FORMAT = 1;
    private static final ThreadLocal<DataOutputSerializer> BUFFER = ThreadLocal.withInitial(() -> new DataOutputSerializer(1024));

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public SubscriptionState createInstance() {
        return new SubscriptionState();
    }

    @Override
    public SubscriptionState copy(SubscriptionState from) {
        return from.copy();
    }

    @Override
    public SubscriptionState copy(SubscriptionState from, SubscriptionState reuse) {
        return from.copy();
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(SubscriptionState s, DataOutputView out) throws IOException {
        DataOutputSerializer buffer = BUFFER.get();
        buffer.clear();
        encode(s, buffer);
        out.writeInt(buffer.length());
        out.write(buffer.getSharedBuffer(), 0, buffer.length());
        if (buffer.getSharedBuffer().length > 1 << 20) {
            BUFFER.remove();   // keep no megabytes per thread after an unusually large subscription
        }
    }

    private static void encode(SubscriptionState s, DataOutputView out) throws IOException {
        out.writeByte(FORMAT);
        out.writeBoolean(s.sweepSet);
        out.writeInt(s.sweepAt);
        int n = s.seenCount;
        out.writeInt(n);
        for (int i = 0; i < n; i++) {
            out.writeLong(s.fingerprint[i]);
            out.writeInt(s.until[i]);
        }
        int q = s.quantityCount;
        out.writeInt(q);
        for (int i = 0; i < q; i++) {
            out.writeInt(s.period[i]);
            StringValue.writeString(s.meter[i], out);
            StateDecimals.write(s.quantity[i], out);
        }
    }

    @Override
    public SubscriptionState deserialize(DataInputView in) throws IOException {
        byte[] block = new byte[in.readInt()];
        in.readFully(block);
        return decode(new DataInputDeserializer(block));
    }

    private static SubscriptionState decode(DataInputView in) throws IOException {
        int format = in.readByte();
        if (format != FORMAT) {
            throw new IOException("unknown subscription state format " + format);
        }
        SubscriptionState s = new SubscriptionState();
        s.sweepSet = in.readBoolean();
        s.sweepAt = in.readInt();
        int n = in.readInt();
        s.fingerprint = new long[n];
        s.until = new int[n];
        for (int i = 0; i < n; i++) {
            s.fingerprint[i] = in.readLong();
            s.until[i] = in.readInt();
        }
        s.seenCount = n;
        int q = in.readInt();
        s.period = new int[q];
        s.meter = new String[q];
        s.quantity = new BigDecimal[q];
        for (int i = 0; i < q; i++) {
            s.period[i] = in.readInt();
            s.meter[i] = StringValue.readString(in);
            s.quantity[i] = StateDecimals.read(in);
        }
        s.quantityCount = q;
        return s;
    }

    @Override
    public SubscriptionState deserialize(SubscriptionState reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        int length = in.readInt();
        out.writeInt(length);
        out.write(in, length);
    }

    @Override
    public TypeSerializerSnapshot<SubscriptionState> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores the serializer from a checkpoint's snapshot of it. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<SubscriptionState> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
