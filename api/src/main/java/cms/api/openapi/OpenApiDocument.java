package cms.api.openapi;

import io.swagger.v3.core.util.Json31;
import io.swagger.v3.jaxrs2.Reader;
import io.swagger.v3.oas.integration.SwaggerConfiguration;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The OpenAPI 3.1 document of the API, read by swagger-core from the resource classes and their
 * typed views, so it cannot drift from the code; the copy checked in as {@code api/openapi.json}
 * is compared with it by OpenApiDocumentTest. {@code main(path)} rewrites that copy.
 */
public final class OpenApiDocument {
    public static final String PATH = "/v1/openapi.json";
    private static final String BEARER = "bearer";
    private static final String ERROR = "Error";

    /** The document as served and checked in: pretty JSON, keys in a stable order. */
    public static String json(Set<Class<?>> resourceClasses) {
        return Json31.pretty(build(resourceClasses)) + "\n";
    }

    public static OpenAPI build(Set<Class<?>> resourceClasses) {
        AuthParameterExtension.install();
        SchemaNames.install();
        OpenAPI base = new OpenAPI()
                .info(new Info().title("cms API").version("1")
                        .description("Usage rating for a channel hierarchy: delegated administration, usage, commission, "
                                + "statements and billing periods, scoped to the caller's subtree. Amounts are decimal "
                                + "strings, times ISO-8601 UTC. README-API.md has the rules behind each endpoint."))
                .servers(List.of(new Server().url("/")))
                .components(new Components()
                        .addSecuritySchemes(BEARER, new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
                                .bearerFormat("JWT"))
                        .addSchemas(ERROR, new Schema<>().types(Set.of("object"))
                                .addProperty("code", new Schema<>().type("integer").types(Set.of("integer")).format("int32"))
                                .addProperty("message", new Schema<>().type("string").types(Set.of("string")))
                                .required(List.of("code", "message"))))
                .addSecurityItem(new SecurityRequirement().addList(BEARER));
        SwaggerConfiguration config = new SwaggerConfiguration().openAPI(base).openAPI31(true)
                .sortOutput(true).prettyPrint(true);
        Reader reader = new Reader(config);
        // one fixed order of classes, so the document is the same on every run
        Set<Class<?>> ordered = new LinkedHashSet<>();
        resourceClasses.stream().sorted((a, b) -> a.getName().compareTo(b.getName())).forEach(ordered::add);
        OpenAPI api = reader.read(ordered);
        api.getPaths().forEach((path, item) -> item.readOperations().forEach(OpenApiDocument::addErrors));
        api.setPaths(sorted(api.getPaths()));
        return api;
    }

    /** Every operation can answer the API's JSON error body (401 always, 400/403/404/409/422/503 per README-API.md). */
    private static void addErrors(Operation op) {
        // swagger-core names the return type's answer "default"; it is the success answer
        ApiResponse success = op.getResponses().remove("default");
        if (success != null && op.getResponses().isEmpty()) {
            op.getResponses().addApiResponse("200", success.description("OK"));
        }
        ApiResponse error = new ApiResponse().description("{code, message}: 4xx for the caller's input or reach "
                + "(the message starts with the field), 503 when Kafka or the registry did not take a write")
                .content(new Content().addMediaType(jakarta.ws.rs.core.MediaType.APPLICATION_JSON,
                        new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + ERROR))));
        op.getResponses().addApiResponse("default", error);
    }

    private static io.swagger.v3.oas.models.Paths sorted(io.swagger.v3.oas.models.Paths paths) {
        io.swagger.v3.oas.models.Paths out = new io.swagger.v3.oas.models.Paths();
        new TreeMap<>(paths).forEach(out::addPathItem);
        return out;
    }

    public static void main(String[] args) throws IOException {
        Path target = Path.of(args.length > 0 ? args[0] : "api/openapi.json");
        Files.writeString(target, json(Resources.CLASSES), StandardCharsets.UTF_8);
        System.out.println("wrote " + target.toAbsolutePath());
    }

    private OpenApiDocument() {}
}
