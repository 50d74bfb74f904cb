package cms.api.openapi;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The checked-in api/openapi.json is the document the code generates. After changing a resource or
 * a view: {@code mvn -pl api test -Dtest=OpenApiDocumentTest -Dopenapi.update=true} rewrites it.
 * (ApiApplicationIT checks that the running API serves this same document and answers every path in it.)
 */
class OpenApiDocumentTest {
    static final Path CHECKED_IN = Path.of("openapi.json"); // the api module's directory when Maven runs the tests

    @Test
    void checkedInDocumentIsTheGeneratedOne() throws Exception {
        String generated = OpenApiDocument.json(Resources.CLASSES);
        if (Boolean.getBoolean("openapi.update")) {
            Files.writeString(CHECKED_IN, generated, StandardCharsets.UTF_8);
        }
        assertThat(Files.readString(CHECKED_IN, StandardCharsets.UTF_8))
                .as("api/openapi.json is stale: rerun with -Dopenapi.update=true")
                .isEqualTo(generated);
    }

    @Test
    void describesEveryEndpointAsOpenApi31() {
        var api = OpenApiDocument.build(Resources.CLASSES);
        assertThat(api.getOpenapi()).startsWith("3.1");
        assertThat(api.getPaths().keySet()).contains("/v1/me", "/v1/{kind}/{id}", "/v1/{kind}/{id}/children",
                "/v1/distributors/{id}", "/v1/partners/{id}", "/v1/tenants/{id}", "/v1/subscriptions/{id}",
                "/v1/{kind}/{id}/commission-plan", "/v1/price-books/{id}", "/v1/commission-plans/{id}",
                "/v1/usage/{level}/{id}", "/v1/commissions/{level}/{id}", "/v1/statements/{tenantId}", "/v1/periods/{period}");
        api.getPaths().forEach((path, item) -> item.readOperations().forEach(op -> {
            assertThat(op.getOperationId()).as(path).doesNotContain("_");
            assertThat(op.getResponses()).as(path).containsKey("default");
            assertThat(op.getResponses().keySet()).as(path).anyMatch(code -> code.startsWith("2"));
            op.getResponses().forEach((code, r) -> {
                if (code.startsWith("2")) {
                    assertThat(r.getContent()).as(path + " " + code + " has a typed body").isNotNull();
                }
            });
        }));
    }
}
