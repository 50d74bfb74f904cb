package cms.pipeline.model;

import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Decimals in keyed state, exact, in as few bytes as they need: the scale, then the unscaled value as a long
 * when it fits (every count and most sums: a 9- or 18-place amount up to 9.2 million or 9.2 units), else its
 * two's-complement bytes. Flink's BigDecSerializer writes every value as a byte array (an allocation and a
 * copy each way); roll-up state holds five decimals a row and is written whole at every heap checkpoint.
 */
final class StateDecimals {
    private StateDecimals() {}

    static void write(BigDecimal value, DataOutputView out) throws IOException {
        BigInteger unscaled = value.unscaledValue();
        boolean longForm = unscaled.bitLength() <= 63;
        out.writeBoolean(longForm);
        out.writeInt(value.scale());
        if (longForm) {
            out.writeLong(unscaled.longValue());
        } else {
            byte[] bytes = unscaled.toByteArray();
            if (bytes.length > 0xFFFF) {
                throw new IOException("decimal too large for state: " + bytes.length + " bytes");
            }
            out.writeShort(bytes.length);
            out.write(bytes);
        }
    }

    static BigDecimal read(DataInputView in) throws IOException {
        boolean longForm = in.readBoolean();
        int scale = in.readInt();
        if (longForm) {
            return BigDecimal.valueOf(in.readLong(), scale);
        }
        byte[] bytes = new byte[in.readUnsignedShort()];
        in.readFully(bytes);
        return new BigDecimal(new BigInteger(bytes), scale);
    }

    static void copy(DataInputView in, DataOutputView out) throws IOException {
        boolean longForm = in.readBoolean();
        out.writeBoolean(longForm);
        out.writeInt(in.readInt());
        if (longForm) {
            out.writeLong(in.readLong());
        } else {
            int length = in.readUnsignedShort();
            out.writeShort(length);
            out.write(in, length);
        }
    }
}
