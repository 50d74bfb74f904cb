package cms.api.openapi;

import io.swagger.v3.oas.annotations.Hidden;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * GET /v1/openapi.json: the checked-in document (api/openapi.json, copied into the jar), which
 * OpenApiDocumentTest keeps equal to what swagger-core reads from the resource classes, so the
 * API does not spend its start-up generating it. Public, like any API's published contract: it
 * holds no data, and a client needs it before it has a token.
 */
@Path(OpenApiDocument.PATH)
@Hidden
public final class OpenApiResource {
    private final String document;

    public OpenApiResource(String document) {
        this.document = document;
    }

    /** The document the build copied into the jar as /openapi.json. */
    public static OpenApiResource fromClasspath() {
        try (java.io.InputStream in = OpenApiResource.class.getResourceAsStream("/openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("/openapi.json is missing from the classpath (api/pom.xml copies api/openapi.json)");
            }
            return new OpenApiResource(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public String document() {
        return document;
    }
}
