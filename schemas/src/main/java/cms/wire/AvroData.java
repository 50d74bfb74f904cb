package cms.wire;

import org.apache.avro.Conversions;
import org.apache.avro.Schema;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.generic.GenericData;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/** The Avro data models the serde uses: the generated classes' own, or generic with our logical types. */
final class AvroData {
    /** Generic records hold BigDecimal for decimals and Instant for timestamp-millis, as the generated classes do. */
    static final GenericData GENERIC = genericWithLogicalTypes();

    static SpecificData specificFor(Class<? extends SpecificRecord> type) {
        return SpecificData.getForClass(type);
    }

    static SpecificData specificFor(Schema schema) {
        return SpecificData.getForSchema(schema);
    }

    private static GenericData genericWithLogicalTypes() {
        GenericData data = new GenericData();
        data.addLogicalTypeConversion(new Conversions.DecimalConversion());
        data.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
        data.addLogicalTypeConversion(new TimeConversions.DateConversion());
        return data;
    }

    private AvroData() {}
}
