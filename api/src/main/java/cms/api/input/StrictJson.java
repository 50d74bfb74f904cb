package cms.api.input;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * How request bodies are read: a JSON value of the wrong type is refused (400 naming the field),
 * never converted ({@code "name": 123} is not "123", {@code "effectiveFrom": 12345} is not a day
 * in 1970, {@code "status": 1} is not the second enum constant); decimals and instants are checked
 * on their text against the contract's bounds before they are made ({@link BoundedDecimal},
 * {@link BoundedInstant}); unknown fields, duplicate keys and trailing content are refused.
 */
public final class StrictJson {
    public static ObjectMapper configure(ObjectMapper mapper) {
        mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
                DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS,
                DeserializationFeature.FAIL_ON_TRAILING_TOKENS,
                DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        mapper.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION.mappedFeature());
        for (LogicalType type : new LogicalType[] {LogicalType.Textual, LogicalType.Boolean, LogicalType.Enum,
                LogicalType.Integer, LogicalType.DateTime}) {
            for (CoercionInputShape shape : new CoercionInputShape[] {CoercionInputShape.Integer, CoercionInputShape.Float,
                    CoercionInputShape.Boolean, CoercionInputShape.String, CoercionInputShape.EmptyString}) {
                if (!sameShape(type, shape)) {
                    mapper.coercionConfigFor(type).setCoercion(shape, CoercionAction.Fail);
                }
            }
        }
        SimpleModule module = new SimpleModule("cms-bounded-input");
        module.addDeserializer(BigDecimal.class, new DecimalDeserializer());
        module.addDeserializer(Instant.class, new InstantDeserializer());
        mapper.registerModule(module);
        return mapper;
    }

    /** The JSON shape that is the type's own (no coercion to refuse). */
    private static boolean sameShape(LogicalType type, CoercionInputShape shape) {
        return switch (type) {
            case Textual, Enum -> shape == CoercionInputShape.String;
            case Boolean -> shape == CoercionInputShape.Boolean;
            case Integer -> shape == CoercionInputShape.Integer;
            default -> false; // DateTime: only through InstantDeserializer below, which takes strings
        };
    }

    /** Decimal strings, as the API writes them, or JSON numbers; either is bounded on its text first. */
    static final class DecimalDeserializer extends StdScalarDeserializer<BigDecimal> {
        DecimalDeserializer() {
            super(BigDecimal.class);
        }

        @Override
        public BigDecimal deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonToken token = p.currentToken();
            if (token == JsonToken.VALUE_STRING || token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
                // for numbers, the text is the number exactly as written, not yet converted
                return BoundedDecimal.parse(p.getText().strip());
            }
            throw new InputProblem(InputProblem.MALFORMED, "expected a decimal string (e.g. \"12.5\")");
        }
    }

    /** ISO-8601 strings with an offset, 1970..9999. */
    static final class InstantDeserializer extends StdScalarDeserializer<Instant> {
        InstantDeserializer() {
            super(Instant.class);
        }

        @Override
        public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() == JsonToken.VALUE_STRING) {
                return BoundedInstant.parse(p.getText());
            }
            throw new InputProblem(InputProblem.MALFORMED, "expected a string, " + BoundedInstant.FORMAT);
        }
    }

    private StrictJson() {}
}
