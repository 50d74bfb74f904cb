package cms.pipeline.model;

import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Map;

/** {@link ValidUsage} between the source and the rating stage, and in the rating stage's pending state ({@link WireFormat}). */
public final class ValidUsageSerializer extends WireSerializer<ValidUsage> {
    private static final long serialVersionUID = 1L;
    public static final ValidUsageSerializer INSTANCE = new ValidUsageSerializer();

    @Override
    public ValidUsage createInstance() {
        return new ValidUsage();
    }

    @Override
    public ValidUsage copy(ValidUsage from) {
        return new ValidUsage(from.event, from.source, from.partitionWatermark);
    }

    @Override
    public void serialize(ValidUsage v, DataOutputView out) throws IOException {
        WireFormat.writeUsage(v.event, out);
        out.writeBoolean(v.source != null);
        if (v.source != null) {
            WireFormat.writeRaw(v.source, out);
        }
        out.writeLong(v.partitionWatermark);
    }

    @Override
    public ValidUsage deserialize(DataInputView in) throws IOException {
        ValidUsage v = new ValidUsage();
        v.event = WireFormat.readUsage(in);
        v.source = in.readBoolean() ? WireFormat.readRaw(in) : null;
        v.partitionWatermark = in.readLong();
        return v;
    }

    @Override
    public TypeSerializerSnapshot<ValidUsage> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores the serializer from a checkpoint's snapshot of it. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<ValidUsage> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }

    /** Named by {@code @TypeInfo} on {@link ValidUsage}. */
    public static final class Factory extends TypeInfoFactory<ValidUsage> {
        @Override
        public TypeInformation<ValidUsage> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return new OwnTypeInfo<>(ValidUsage.class, INSTANCE, false);
        }
    }
}
