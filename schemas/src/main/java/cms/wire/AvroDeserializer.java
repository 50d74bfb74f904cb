package cms.wire;

import cms.registry.SchemaRegistryClient;
import cms.registry.SchemaRegistryException;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SystemLimitException;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;

import java.io.IOException;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static cms.wire.UndecodableRecordException.Problem.CORRUPT_PAYLOAD;
import static cms.wire.UndecodableRecordException.Problem.INCOMPATIBLE_SCHEMA;
import static cms.wire.UndecodableRecordException.Problem.UNKNOWN_SCHEMA_ID;

/**
 * Reads Confluent-framed Avro into a generated class, whatever compatible writer schema the
 * producer used: the writer schema is fetched by the frame's id and resolved against the class's
 * schema (Avro schema resolution), so added, removed and reordered fields with defaults all read.
 * A record that can never be read raises {@link UndecodableRecordException}; a registry that is
 * down raises {@link cms.registry.SchemaRegistryUnavailableException}. Thread-safe.
 */
public final class AvroDeserializer<T extends SpecificRecord> {
    static {
        // A corrupt length prefix must not make the decoder allocate gigabytes: no single field of a
        // Kafka record legitimately comes near these bounds. Explicit -D settings win.
        limitIfUnset(SystemLimitException.MAX_BYTES_LENGTH_PROPERTY, 16 << 20);
        limitIfUnset(SystemLimitException.MAX_STRING_LENGTH_PROPERTY, 16 << 20);
        limitIfUnset(SystemLimitException.MAX_COLLECTION_LENGTH_PROPERTY, 1 << 20);
    }

    private final SchemaRegistryClient registry;
    private final Schema reader;
    private final SpecificData data;
    private final Map<Integer, DatumReader<T>> readersByWriterId = new ConcurrentHashMap<>();

    public AvroDeserializer(SchemaRegistryClient registry, Class<T> type) {
        this.registry = registry;
        this.data = AvroData.specificFor(type);
        this.reader = data.getSchema(type);
    }

    public Schema readerSchema() {
        return reader;
    }

    public T deserialize(byte[] bytes) {
        ConfluentFrame.Header header = ConfluentFrame.parse(bytes);
        DatumReader<T> datumReader = readerFor(header.schemaId());
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, header.bodyOffset(), header.bodyLength(), null);
        T value;
        try {
            value = datumReader.read(null, decoder);
            if (!decoder.isEnd()) {
                throw new UndecodableRecordException(CORRUPT_PAYLOAD, header.schemaId(),
                        "Avro body has bytes left over after a whole " + reader.getName() + " (schema id " + header.schemaId() + ")", null);
            }
        } catch (IOException | AvroRuntimeException | UnsupportedOperationException | IndexOutOfBoundsException
                 | NegativeArraySizeException | ClassCastException e) {
            throw new UndecodableRecordException(CORRUPT_PAYLOAD, header.schemaId(),
                    "Avro body does not decode with schema id " + header.schemaId() + ": " + e, e);
        }
        return value;
    }

    private DatumReader<T> readerFor(int schemaId) {
        DatumReader<T> cached = readersByWriterId.get(schemaId);
        if (cached != null) {
            return cached;
        }
        Schema writer;
        try {
            writer = registry.schemaById(schemaId);
        } catch (SchemaRegistryException e) {
            if (e.isNotFound()) {
                throw new UndecodableRecordException(UNKNOWN_SCHEMA_ID, schemaId,
                        "schema id " + schemaId + " is unknown to the registry", e);
            }
            throw new UndecodableRecordException(UNKNOWN_SCHEMA_ID, schemaId,
                    "schema id " + schemaId + " cannot be used: " + e.getMessage(), e);
        }
        SchemaCompatibility.SchemaPairCompatibility compatibility =
                SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            throw new UndecodableRecordException(INCOMPATIBLE_SCHEMA, schemaId, "writer schema id " + schemaId + " ("
                    + writer.getFullName() + ") cannot be read as " + reader.getFullName() + ": "
                    + compatibility.getResult().getIncompatibilities(), null);
        }
        String logicalMismatch = logicalTypeMismatch(reader, writer, reader.getName(), java.util.Collections.newSetFromMap(new IdentityHashMap<>()));
        if (logicalMismatch != null) {
            throw new UndecodableRecordException(INCOMPATIBLE_SCHEMA, schemaId, "writer schema id " + schemaId
                    + " cannot be read as " + reader.getFullName() + ": " + logicalMismatch, null);
        }
        DatumReader<T> created = new SpecificDatumReader<T>(writer, reader, data);
        readersByWriterId.put(schemaId, created);
        return created;
    }

    /**
     * Avro's resolution ignores logical types, so some "compatible" writers would be read silently
     * wrong: a decimal at another scale (the unscaled bytes taken at the reader's scale), a string
     * promoted to the bytes of a decimal, a timestamp in micros read as millis. Returns the first
     * field path where that happens, or null.
     */
    static String logicalTypeMismatch(Schema reader, Schema writer, String path, Set<Schema> seen) {
        switch (reader.getType()) {
            case RECORD -> {
                if (writer.getType() != Schema.Type.RECORD || !seen.add(reader)) {
                    return null;
                }
                for (Schema.Field field : reader.getFields()) {
                    Schema.Field written = writer.getField(field.name());
                    if (written == null) {
                        for (String alias : field.aliases()) {
                            written = written != null ? written : writer.getField(alias);
                        }
                    }
                    if (written != null) {
                        String m = logicalTypeMismatch(field.schema(), written.schema(), path + "." + field.name(), seen);
                        if (m != null) {
                            return m;
                        }
                    }
                }
                return null;
            }
            case UNION -> {
                for (Schema branch : reader.getTypes()) {
                    for (Schema w : writer.getType() == Schema.Type.UNION ? writer.getTypes() : java.util.List.of(writer)) {
                        if (branch.getType() == w.getType()) {
                            String m = logicalTypeMismatch(branch, w, path, seen);
                            if (m != null) {
                                return m;
                            }
                        }
                    }
                }
                return null;
            }
            case ARRAY -> {
                return writer.getType() == Schema.Type.ARRAY
                        ? logicalTypeMismatch(reader.getElementType(), writer.getElementType(), path + "[]", seen) : null;
            }
            case MAP -> {
                return writer.getType() == Schema.Type.MAP
                        ? logicalTypeMismatch(reader.getValueType(), writer.getValueType(), path + "{}", seen) : null;
            }
            case BYTES, FIXED -> {
                if (reader.getLogicalType() instanceof LogicalTypes.Decimal r) {
                    if (!(writer.getLogicalType() instanceof LogicalTypes.Decimal w)) {
                        return path + " (written as " + describe(writer) + ", expected decimal scale " + r.getScale() + ")";
                    }
                    if (r.getScale() != w.getScale()) {
                        return path + " (scale " + w.getScale() + ", expected " + r.getScale() + ")";
                    }
                }
                return null;
            }
            case LONG -> {
                // a plain long is epoch millis by convention; another time unit would be off by 1000x
                LogicalType r = reader.getLogicalType();
                LogicalType w = writer.getLogicalType();
                if (r != null && w != null && !r.getName().equals(w.getName())) {
                    return path + " (written as " + w.getName() + ", expected " + r.getName() + ")";
                }
                return null;
            }
            default -> {
                return null;
            }
        }
    }

    private static String describe(Schema schema) {
        return schema.getLogicalType() != null ? schema.getLogicalType().getName() : schema.getType().getName();
    }

    private static void limitIfUnset(String property, int value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, Integer.toString(value));
        }
    }
}
