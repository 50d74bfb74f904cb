package cms.pipeline.model;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * An id as a state key, written as its UTF-8 length and bytes in one block. Flink's StringSerializer writes a key
 * char by char, and a heap checkpoint writes the key of every entry and every timer: with 100,000 subscription keys
 * that was the largest part of the rating stage's checkpoints. Keys are partitioned by {@code hashCode}, not by these
 * bytes, so a stream keyed with this type goes to the same subtasks as one keyed with {@code Types.STRING}.
 */
public final class IdKeySerializer extends TypeSerializerSingleton<String> {
    private static final long serialVersionUID = 1L;
    public static final IdKeySerializer INSTANCE = new IdKeySerializer();
    /** The key type to give keyBy for such keys. */
    public static final TypeInformation<String> TYPE = new OwnTypeInfo<>(String.class, INSTANCE, true);

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public String createInstance() {
        return "";
    }

    @Override
    public String copy(String from) {
        return from;
    }

    @Override
    public String copy(String from, String reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(String id, DataOutputView out) throws IOException {
        byte[] bytes = id.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    @Override
    public String deserialize(DataInputView in) throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public String deserialize(String reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        int length = in.readInt();
        out.writeInt(length);
        out.write(in, length);
    }

    @Override
    public TypeSerializerSnapshot<String> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores the serializer from a checkpoint's snapshot of it. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<String> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
