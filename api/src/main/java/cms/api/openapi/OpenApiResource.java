package cms.api.openapi;

import io.swagger.v3.oas.annotations.Hidden;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * GET /v1/openapi.json: the document, built once at start from the resource classes. Public, like
 * any API's published contract: it holds no data, and a client needs it before it has a token.
 */
@Path(OpenApiDocument.PATH)
@Hidden
public final class OpenApiResource {
    private final String document;

    public OpenApiResource(String document) {
        this.document = document;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public String document() {
        return document;
    }
}
