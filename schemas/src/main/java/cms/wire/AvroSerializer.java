package cms.wire;

import cms.registry.SchemaRegistryClient;
import cms.topics.Topics;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes Avro records (generated or generic) in the Confluent wire format, with the schema id of
 * the record's own schema under the topic's value subject. Thread-safe.
 */
public final class AvroSerializer {
    private final SchemaRegistryClient registry;
    private final boolean autoRegister;
    private final Map<Schema, DatumWriter<IndexedRecord>> writers = new ConcurrentHashMap<>();

    /**
     * @param autoRegister register the record's schema when the subject does not hold it yet;
     *                     when false the schema must have been registered before (the usual
     *                     choice for production producers), else a 404 SchemaRegistryException
     */
    public AvroSerializer(SchemaRegistryClient registry, boolean autoRegister) {
        this.registry = registry;
        this.autoRegister = autoRegister;
    }

    public byte[] serialize(String topic, IndexedRecord record) {
        Schema schema = record.getSchema();
        String subject = Topics.valueSubject(topic);
        int id = autoRegister ? registry.register(subject, schema) : registry.lookup(subject, schema);
        return encode(id, record);
    }

    /** Frames {@code record} with a schema id the caller already holds. */
    public byte[] encode(int schemaId, IndexedRecord record) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        byte[] header = new byte[ConfluentFrame.HEADER_LENGTH];
        ConfluentFrame.writeHeader(header, schemaId);
        out.write(header, 0, header.length);
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            writerFor(record).write(record, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + record.getSchema().getFullName(), e);
        }
        return out.toByteArray();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private DatumWriter<IndexedRecord> writerFor(IndexedRecord record) {
        Schema schema = record.getSchema();
        DatumWriter<IndexedRecord> writer = writers.get(schema);
        if (writer == null) {
            writer = record instanceof SpecificRecord
                    ? (DatumWriter) new SpecificDatumWriter<>(schema, AvroData.specificFor(schema))
                    : new GenericDatumWriter<>(schema, AvroData.GENERIC);
            writers.put(schema, writer);
        }
        return writer;
    }
}
