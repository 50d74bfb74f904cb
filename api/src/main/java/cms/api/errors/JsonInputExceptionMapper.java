package cms.api.errors;

import com.fasterxml.jackson.core.JsonGenerationException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import io.dropwizard.jersey.errors.ErrorMessage;
import io.dropwizard.jersey.errors.LoggingExceptionMapper;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import org.slf4j.LoggerFactory;

/**
 * Replaces Dropwizard's "Unable to process JSON" with a 400 that names the field at fault (the
 * JSON path Jackson reports), without echoing parser internals or stack traces.
 */
@Provider
public final class JsonInputExceptionMapper extends LoggingExceptionMapper<JsonProcessingException> {
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
        String problem;
        if (exception instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException) {
            problem = "unknown field";
        } else if (exception instanceof com.fasterxml.jackson.databind.exc.InvalidFormatException f) {
            problem = "cannot read '" + f.getValue() + "' as " + f.getTargetType().getSimpleName();
        } else if (exception instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException m
                && m.getTargetType() != null) {
            problem = "expected " + m.getTargetType().getSimpleName();
        } else {
            problem = "malformed JSON";
        }
        return Response.status(Response.Status.BAD_REQUEST)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ErrorMessage(400, field + ": " + problem))
                .build();
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.isEmpty() ? "body" : sb.toString();
    }
}
