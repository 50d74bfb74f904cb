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

/** {@link RatedEvent} through the commission stages' exchanges ({@link WireFormat}). */
public final class RatedEventSerializer extends WireSerializer<RatedEvent> {
    private static final long serialVersionUID = 1L;
    public static final RatedEventSerializer INSTANCE = new RatedEventSerializer();

    @Override
    public RatedEvent createInstance() {
        return new RatedEvent();
    }

    @Override
    public RatedEvent copy(RatedEvent f) {
        RatedEvent e = new RatedEvent();
        e.event = f.event;
        e.tenantId = f.tenantId;
        e.partnerId = f.partnerId;
        e.distributorId = f.distributorId;
        e.priceBookId = f.priceBookId;
        e.priceBookVersion = f.priceBookVersion;
        e.currency = f.currency;
        e.amount = f.amount;
        e.partnerCommission = f.partnerCommission;
        e.distributorCommission = f.distributorCommission;
        e.partnerPlanId = f.partnerPlanId;
        e.distributorPlanId = f.distributorPlanId;
        e.partnerShare = f.partnerShare;
        e.distributorShare = f.distributorShare;
        e.period = f.period;
        e.bookedPeriod = f.bookedPeriod;
        e.lateAdjustment = f.lateAdjustment;
        e.bookingTime = f.bookingTime;
        e.receivedAt = f.receivedAt;
        e.source = f.source;
        return e;
    }

    @Override
    public void serialize(RatedEvent e, DataOutputView out) throws IOException {
        WireFormat.writeUsage(e.event, out);
        WireFormat.writeNullable(e.tenantId, out);
        WireFormat.writeNullable(e.partnerId, out);
        WireFormat.writeNullable(e.distributorId, out);
        WireFormat.writeNullable(e.priceBookId, out);
        out.writeLong(e.priceBookVersion);
        WireFormat.writeNullable(e.currency, out);
        WireFormat.writeNullable(e.amount, out);
        WireFormat.writeNullable(e.partnerCommission, out);
        WireFormat.writeNullable(e.distributorCommission, out);
        WireFormat.writeNullable(e.partnerPlanId, out);
        WireFormat.writeNullable(e.distributorPlanId, out);
        WireFormat.writeShare(e.partnerShare, out);
        WireFormat.writeShare(e.distributorShare, out);
        WireFormat.writeNullable(e.period, out);
        WireFormat.writeNullable(e.bookedPeriod, out);
        out.writeBoolean(e.lateAdjustment);
        out.writeLong(e.bookingTime);
        out.writeLong(e.receivedAt);
        out.writeBoolean(e.source != null);
        if (e.source != null) {
            WireFormat.writeRaw(e.source, out);
        }
    }

    @Override
    public RatedEvent deserialize(DataInputView in) throws IOException {
        RatedEvent e = new RatedEvent();
        e.event = WireFormat.readUsage(in);
        e.tenantId = WireFormat.readNullable(in);
        e.partnerId = WireFormat.readNullable(in);
        e.distributorId = WireFormat.readNullable(in);
        e.priceBookId = WireFormat.readNullable(in);
        e.priceBookVersion = in.readLong();
        e.currency = WireFormat.readNullable(in);
        e.amount = WireFormat.readNullableDecimal(in);
        e.partnerCommission = WireFormat.readNullableDecimal(in);
        e.distributorCommission = WireFormat.readNullableDecimal(in);
        e.partnerPlanId = WireFormat.readNullable(in);
        e.distributorPlanId = WireFormat.readNullable(in);
        e.partnerShare = WireFormat.readShare(in);
        e.distributorShare = WireFormat.readShare(in);
        e.period = WireFormat.readNullable(in);
        e.bookedPeriod = WireFormat.readNullable(in);
        e.lateAdjustment = in.readBoolean();
        e.bookingTime = in.readLong();
        e.receivedAt = in.readLong();
        e.source = in.readBoolean() ? WireFormat.readRaw(in) : null;
        return e;
    }

    @Override
    public TypeSerializerSnapshot<RatedEvent> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores the serializer from a checkpoint's snapshot of it. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<RatedEvent> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }

    /** Named by {@code @TypeInfo} on {@link RatedEvent}. */
    public static final class Factory extends TypeInfoFactory<RatedEvent> {
        @Override
        public TypeInformation<RatedEvent> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return new OwnTypeInfo<>(RatedEvent.class, INSTANCE, false);
        }
    }
}
