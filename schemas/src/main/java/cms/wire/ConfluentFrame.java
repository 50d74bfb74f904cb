package cms.wire;

import java.nio.ByteBuffer;

/**
 * The Confluent wire format: byte 0 (magic), the schema id as 4 bytes big-endian, then the Avro
 * binary body.
 */
public final class ConfluentFrame {
    public static final byte MAGIC = 0;
    public static final int HEADER_LENGTH = 5;

    /** Where a frame's body is, and which schema wrote it. */
    public record Header(int schemaId, int bodyOffset, int bodyLength) {}

    /** Writes the header for {@code schemaId} into the first five bytes of {@code target}. */
    public static void writeHeader(byte[] target, int schemaId) {
        target[0] = MAGIC;
        target[1] = (byte) (schemaId >>> 24);
        target[2] = (byte) (schemaId >>> 16);
        target[3] = (byte) (schemaId >>> 8);
        target[4] = (byte) schemaId;
    }

    /** A whole frame: header then body. */
    public static byte[] frame(int schemaId, byte[] body) {
        byte[] out = new byte[HEADER_LENGTH + body.length];
        writeHeader(out, schemaId);
        System.arraycopy(body, 0, out, HEADER_LENGTH, body.length);
        return out;
    }

    /** Reads the header, or says exactly what is wrong with it. */
    public static Header parse(byte[] bytes) {
        if (bytes == null) {
            throw new UndecodableRecordException(UndecodableRecordException.Problem.NO_VALUE, "record has no value");
        }
        if (bytes.length < HEADER_LENGTH) {
            throw new UndecodableRecordException(UndecodableRecordException.Problem.BAD_FRAMING,
                    "record is " + bytes.length + " bytes, shorter than the 5-byte Confluent header");
        }
        if (bytes[0] != MAGIC) {
            throw new UndecodableRecordException(UndecodableRecordException.Problem.BAD_FRAMING,
                    String.format("magic byte is 0x%02x, expected 0x00 (not Confluent wire format)", bytes[0] & 0xff));
        }
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        return new Header(id, HEADER_LENGTH, bytes.length - HEADER_LENGTH);
    }

    private ConfluentFrame() {}
}
