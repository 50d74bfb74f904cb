package cms.pipeline.model;

import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/**
 * A serializer of one of the job's records between operators ({@link WireFormat}). {@link #copy(Object)} copies the
 * record's own fields and shares what they point to: the stages after the source reassign a record's fields (the
 * commissions, the dropped source) but never change the usage event, the source record or a share they hold.
 */
abstract class WireSerializer<T> extends TypeSerializerSingleton<T> {
    private static final long serialVersionUID = 1L;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public T copy(T from, T reuse) {
        return copy(from);
    }

    @Override
    public T deserialize(T reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    /** Copies one serialized record: through a buffer, as its length is not written ahead of it. */
    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    /** For tests: the record after a trip through its bytes. */
    T roundTrip(T record) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        serialize(record, out);
        return deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    }
}
