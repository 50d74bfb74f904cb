package cms.pipeline.model;

import cms.avro.CommissionShare;
import cms.avro.ShareModel;
import cms.avro.ShareTier;
import cms.avro.UsageEvent;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The fields of the records between the job's operators, written by hand: the usage event, its source record and the
 * commission shares, each field in a fixed order with nulls flagged. Flink's POJO serializer made every record by
 * reflection and wrote its Avro fields through Avro's generic datum writer and reader (decimals as byte arrays, strings
 * through Utf8): 13% of the job's samples on three exchanges. A field added to an Avro schema must be added here:
 * {@code WireFormatTest} fails on a schema whose fields differ from the ones listed in {@link #USAGE_FIELDS} and
 * {@link #SHARE_FIELDS}.
 */
final class WireFormat {
    /** The UsageEvent fields this format carries, in its order. */
    static final List<String> USAGE_FIELDS = List.of("eventId", "subscriptionId", "meterId", "quantity", "eventTime", "region",
            "resourceId", "attributes");
    /** The CommissionShare and ShareTier fields this format carries. */
    static final List<String> SHARE_FIELDS = List.of("model", "tiers");
    static final List<String> TIER_FIELDS = List.of("upTo", "rate");

    private WireFormat() {}

    static void writeUsage(UsageEvent e, DataOutputView out) throws IOException {
        StringValue.writeString(e.getEventId(), out);
        StringValue.writeString(e.getSubscriptionId(), out);
        StringValue.writeString(e.getMeterId(), out);
        StateDecimals.write(e.getQuantity(), out);
        Instant t = e.getEventTime();
        out.writeLong(t.getEpochSecond());
        out.writeInt(t.getNano());
        writeNullable(e.getRegion(), out);
        writeNullable(e.getResourceId(), out);
        Map<String, String> attributes = e.getAttributes();
        out.writeInt(attributes.size());
        for (Map.Entry<String, String> a : attributes.entrySet()) {
            StringValue.writeString(a.getKey(), out);
            StringValue.writeString(a.getValue(), out);
        }
    }

    static UsageEvent readUsage(DataInputView in) throws IOException {
        String eventId = StringValue.readString(in);
        String subscriptionId = StringValue.readString(in);
        String meterId = StringValue.readString(in);
        BigDecimal quantity = StateDecimals.read(in);
        Instant eventTime = Instant.ofEpochSecond(in.readLong(), in.readInt());
        String region = readNullable(in);
        String resourceId = readNullable(in);
        int n = in.readInt();
        Map<String, String> attributes = new HashMap<>(Math.max(2, n * 2));
        for (int i = 0; i < n; i++) {
            attributes.put(StringValue.readString(in), StringValue.readString(in));
        }
        return new UsageEvent(eventId, subscriptionId, meterId, quantity, eventTime, region, resourceId, attributes);
    }

    /** A usage record's coordinates, bytes and decoding outcome. */
    static void writeRaw(RawRecord r, DataOutputView out) throws IOException {
        writeNullable(r.topic, out);
        out.writeInt(r.partition);
        out.writeLong(r.offset);
        out.writeLong(r.timestamp);
        writeBytes(r.key, out);
        writeBytes(r.value, out);
        out.writeBoolean(r.event != null);
        if (r.event != null) {
            writeUsage(r.event, out);
        }
        out.writeByte(r.failure == null ? -1 : r.failure.ordinal());
        writeNullable(r.failureDetail, out);
        writeNullable(r.failureEventId, out);
    }

    static RawRecord readRaw(DataInputView in) throws IOException {
        RawRecord r = new RawRecord(readNullable(in), in.readInt(), in.readLong(), in.readLong(), readBytes(in), readBytes(in));
        if (in.readBoolean()) {
            r.event = readUsage(in);
        }
        int failure = in.readByte();
        r.failure = failure < 0 ? null : cms.avro.DeadLetterReason.values()[failure];
        r.failureDetail = readNullable(in);
        r.failureEventId = readNullable(in);
        return r;
    }

    static void writeShare(CommissionShare s, DataOutputView out) throws IOException {
        out.writeBoolean(s != null);
        if (s == null) {
            return;
        }
        out.writeByte(s.getModel().ordinal());
        List<ShareTier> tiers = s.getTiers();
        out.writeInt(tiers.size());
        for (ShareTier t : tiers) {
            out.writeBoolean(t.getUpTo() != null);
            if (t.getUpTo() != null) {
                StateDecimals.write(t.getUpTo(), out);
            }
            StateDecimals.write(t.getRate(), out);
        }
    }

    static CommissionShare readShare(DataInputView in) throws IOException {
        if (!in.readBoolean()) {
            return null;
        }
        ShareModel model = ShareModel.values()[in.readByte()];
        int n = in.readInt();
        List<ShareTier> tiers = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            BigDecimal upTo = in.readBoolean() ? StateDecimals.read(in) : null;
            tiers.add(new ShareTier(upTo, StateDecimals.read(in)));
        }
        return new CommissionShare(model, tiers);
    }

    static void writeNullable(String s, DataOutputView out) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            StringValue.writeString(s, out);
        }
    }

    static String readNullable(DataInputView in) throws IOException {
        return in.readBoolean() ? StringValue.readString(in) : null;
    }

    static void writeNullable(BigDecimal d, DataOutputView out) throws IOException {
        out.writeBoolean(d != null);
        if (d != null) {
            StateDecimals.write(d, out);
        }
    }

    static BigDecimal readNullableDecimal(DataInputView in) throws IOException {
        return in.readBoolean() ? StateDecimals.read(in) : null;
    }

    private static void writeBytes(byte[] b, DataOutputView out) throws IOException {
        out.writeInt(b == null ? -1 : b.length);
        if (b != null) {
            out.write(b);
        }
    }

    private static byte[] readBytes(DataInputView in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }
}
