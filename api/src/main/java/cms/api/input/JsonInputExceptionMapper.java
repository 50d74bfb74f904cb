package cms.api.input;

import com.fasterxml.jackson.core.JsonGenerationException;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.dropwizard.jersey.errors.ErrorMessage;
import io.dropwizard.jersey.errors.LoggingExceptionMapper;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import org.slf4j.LoggerFactory;

/**
 * Replaces Dropwizard's "Unable to process JSON" with a 400 that names the field at fault (the
 * JSON path Jackson reports), without echoing parser internals, stack traces or more than the
 * first characters of a bad value; a value beyond a limit ({@link InputProblem}) answers 422.
 */
@Provider
public final class JsonInputExceptionMapper extends LoggingExceptionMapper<JsonProcessingException> {
    private static final String DUPLICATE = "Duplicate field '";

    public JsonInputExceptionMapper() {
        super(LoggerFactory.getLogger(JsonInputExceptionMapper.class));
    }

    @Override
    public Response toResponse(JsonProcessingException exception) {
        if (exception instanceof JsonGenerationException || exception instanceof InvalidDefinitionException) {
            return super.toResponse(exception); // our bug, not the client's: 500 with a log id
        }
        String field = "body";
        if (exception instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            field = path(mapping);
        }
        int status = Response.Status.BAD_REQUEST.getStatusCode();
        String problem;
        if (exception instanceof InputProblem p) {
            status = p.status();
            problem = p.problem();
        } else if (exception instanceof UnrecognizedPropertyException) {
            problem = "unknown field";
        } else if (exception instanceof InvalidFormatException f) {
            problem = "cannot read " + InputLimits.echo(f.getValue()) + " as " + expected(f.getTargetType());
        } else if (exception instanceof MismatchedInputException m && m.getTargetType() != null) {
            problem = "expected " + expected(m.getTargetType());
        } else if (exception instanceof JsonParseException parse && parse.getOriginalMessage() != null
                && parse.getOriginalMessage().startsWith(DUPLICATE)) {
            // Jackson names the field in its message only: "Duplicate field 'name'"
            String name = parse.getOriginalMessage().substring(DUPLICATE.length());
            field = InputLimits.cut(name.endsWith("'") ? name.substring(0, name.length() - 1) : name);
            problem = "given twice";
        } else if (exception instanceof StreamConstraintsException) {
            problem = "too deeply nested or too long";
        } else {
            problem = "malformed JSON";
        }
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ErrorMessage(status, field + ": " + problem))
                .build();
    }

    /** The JSON type a Java target is written as, for a client who never saw the Java. */
    private static String expected(Class<?> target) {
        if (target == String.class) {
            return "a string";
        }
        if (target == Boolean.class || target == boolean.class) {
            return "true or false";
        }
        if (target.isEnum()) {
            StringBuilder names = new StringBuilder("one of");
            for (Object c : target.getEnumConstants()) {
                names.append(' ').append(c);
            }
            return names.toString();
        }
        if (java.util.Collection.class.isAssignableFrom(target) || target.isArray()) {
            return "an array";
        }
        if (Number.class.isAssignableFrom(target) || target.isPrimitive()) {
            return "a number";
        }
        return "an object";
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(InputLimits.cut(ref.getFieldName()));
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.isEmpty() ? "body" : sb.toString();
    }
}
