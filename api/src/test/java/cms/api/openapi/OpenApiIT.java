package cms.api.openapi;

import cms.api.ApiApplication;
import cms.api.ApiConfiguration;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The running API (real Kafka, registry, Cassandra) and the checked-in OpenAPI document agree: it
 * serves that very document, every documented operation is called, each answers a status the
 * document lists, and every key and value type of each answer is one the document's schema declares.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class OpenApiIT {
    static final DropwizardAppExtension<ApiConfiguration> APP =
            new DropwizardAppExtension<>(ApiApplication.class, ResourceHelpers.resourceFilePath("it-config.yml"));
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RUN = "oa" + ThreadLocalRandom.current().nextInt(1_000_000, 10_000_000);
    private static final String FROM = "2026-01-01T00:00:00Z";

    private record Call(String method, String template, String url, Object body, int status) {}

    @Test
    void servesTheCheckedInDocument() throws Exception {
        Response r = APP.client().target(base() + OpenApiDocument.PATH).request().get(); // no token: it is public
        assertThat(r.getStatus()).isEqualTo(200);
        assertThat(r.readEntity(String.class)).isEqualTo(Files.readString(OpenApiDocumentTest.CHECKED_IN));
    }

    @Test
    void theDocumentDescribesTheResourcesTheApplicationRegisters() {
        Set<Class<?>> registered = new java.util.HashSet<>();
        for (Class<?> c : APP.getEnvironment().jersey().getResourceConfig().getClasses()) {
            if (c.isAnnotationPresent(jakarta.ws.rs.Path.class) && !c.isAnnotationPresent(io.swagger.v3.oas.annotations.Hidden.class)) {
                registered.add(c);
            }
        }
        assertThat(registered).isEqualTo(Resources.CLASSES);
    }

    @Test
    void everyDocumentedOperationAnswersAsDocumented() throws Exception {
        JsonNode doc = JSON.readTree(Files.readString(OpenApiDocumentTest.CHECKED_IN));
        String d = RUN + "d", p = RUN + "p", t = RUN + "t", s = RUN + "s", pb = RUN + "pb", plan = RUN + "plan";
        String month = YearMonth.now(ZoneOffset.UTC).toString();
        String from = month + "-01T00:00:00Z", to = YearMonth.now(ZoneOffset.UTC).plusMonths(1) + "-01T00:00:00Z";
        List<Call> calls = List.of(
                new Call("PUT", "/v1/price-books/{id}", "/v1/price-books/" + pb, Map.of("currency", "EUR", "effectiveFrom", FROM,
                        "rates", List.of(Map.of("meterId", "compute.vcpu.hours", "model", "PER_UNIT",
                                "tiers", List.of(Map.of("unitPrice", "0.05")))), "name", "Book"), 201),
                new Call("PUT", "/v1/commission-plans/{id}", "/v1/commission-plans/" + plan, Map.of("owner", "PLATFORM",
                        "effectiveFrom", FROM, "partnerShare", Map.of("model", "FLAT", "tiers", List.of(Map.of("rate", "0.1"))),
                        "name", "Plan"), 201),
                new Call("PUT", "/v1/distributors/{id}", "/v1/distributors/" + d, node("name", "D"), 201),
                new Call("PUT", "/v1/partners/{id}", "/v1/partners/" + p, node("distributorId", d), 201),
                new Call("PUT", "/v1/tenants/{id}", "/v1/tenants/" + t, node("partnerId", p), 201),
                new Call("PUT", "/v1/subscriptions/{id}", "/v1/subscriptions/" + s, node("tenantId", t, "priceBookId", pb), 201),
                new Call("PUT", "/v1/{kind}/{id}/commission-plan", "/v1/partners/" + p + "/commission-plan",
                        Map.of("planId", plan, "effectiveFrom", FROM), 200),
                new Call("GET", "/v1/me", "/v1/me", null, 200),
                new Call("GET", "/v1/{kind}/{id}", "/v1/partners/" + p, null, 200),
                new Call("GET", "/v1/{kind}/{id}/children", "/v1/tenants/" + t + "/children", null, 200),
                new Call("GET", "/v1/price-books/{id}", "/v1/price-books/" + pb, null, 200),
                new Call("GET", "/v1/commission-plans/{id}", "/v1/commission-plans/" + plan, null, 200),
                new Call("GET", "/v1/usage/{level}/{id}", "/v1/usage/partner/" + p + "?granularity=DAY&breakdown=meter,child&from="
                        + from + "&to=" + to, null, 200),
                new Call("GET", "/v1/commissions/{level}/{id}", "/v1/commissions/partner/" + p + "?period=" + month, null, 200),
                // the current period is OPEN: the statement is the documented error answer
                new Call("GET", "/v1/statements/{tenantId}", "/v1/statements/" + t + "?period=" + month, null, 409),
                new Call("GET", "/v1/periods/{period}", "/v1/periods/" + month, null, 200),
                new Call("PUT", "/v1/users/{id}", "/v1/users/" + p + "-ann", Map.of("level", "partner", "orgId", p, "role", "admin",
                        "name", "Ann", "email", "ann@example.com"), 201),
                new Call("GET", "/v1/users/{id}", "/v1/users/" + p + "-ann", null, 200),
                new Call("GET", "/v1/{kind}/{id}/users", "/v1/partners/" + p + "/users", null, 200),
                new Call("GET", "/v1/platform/users", "/v1/platform/users", null, 200),
                new Call("GET", "/v1/audit", "/v1/audit?node=partner/" + p, null, 200));

        Set<String> documented = new TreeSet<>();
        doc.get("paths").properties().forEach(e -> e.getValue().fieldNames()
                .forEachRemaining(m -> documented.add(m.toUpperCase() + " " + e.getKey())));
        Set<String> called = new TreeSet<>();
        calls.forEach(c -> called.add(c.method() + " " + c.template()));
        assertThat(called).as("every documented operation has a call here").isEqualTo(documented);

        for (Call c : calls) {
            Invocation.Builder request = APP.client().target(base() + c.url()).request().header("Authorization", token());
            Response r = c.body() == null ? request.get() : request.method(c.method(), Entity.json(c.body()));
            String body = r.readEntity(String.class);
            String label = c.method() + " " + c.url();
            assertThat(r.getStatus()).as(label + ": " + body).isEqualTo(c.status());
            JsonNode responses = doc.get("paths").get(c.template()).get(c.method().toLowerCase()).get("responses");
            JsonNode response = responses.has(String.valueOf(c.status())) ? responses.get(String.valueOf(c.status()))
                    : responses.get("default");
            JsonNode schema = response.get("content").get("application/json").get("schema");
            conforms(JSON.readTree(body), schema, doc, label);
        }
    }

    /** A client a client team would generate (openapi-generator, Java, at build time from api/openapi.json) works as is. */
    @Test
    void aClientGeneratedFromTheDocumentCallsTheRunningApi() throws Exception {
        cms.client.ApiClient client = new cms.client.ApiClient();
        client.updateBaseUri(base());
        client.setRequestInterceptor(b -> b.header("Authorization", token()));
        cms.client.api.DefaultApi generated = new cms.client.api.DefaultApi(client);

        cms.client.model.MeView me = generated.me();
        assertThat(me.getRole()).isEqualTo("admin"); // the first admin: a platform user with the role admin
        assertThat(me.getLevel()).isEqualTo("platform");
        assertThat(me.getScope().getAll()).isTrue();

        String d = RUN + "gen-d";
        cms.client.model.NodeView written = generated.putDistributor(d, new cms.client.model.DistributorBody()
                .name("Generated").effectiveFrom(java.time.OffsetDateTime.parse(FROM)));
        assertThat(written.getId()).isEqualTo(d);
        cms.client.model.NodeView read = generated.getNode("distributors", d);
        assertThat(read.getName()).isEqualTo("Generated");
        assertThat(read.getEffectiveFrom()).isEqualTo(FROM);
        assertThat(read.getVersions()).hasSize(1);

        String month = YearMonth.now(ZoneOffset.UTC).toString();
        assertThat(generated.period(month).getStatus()).isIn("OPEN", "FINAL");
        cms.client.ApiException missing = org.junit.jupiter.api.Assertions.assertThrows(cms.client.ApiException.class,
                () -> generated.getNode("distributors", RUN + "nobody"));
        assertThat(missing.getCode()).isEqualTo(404);
    }

    /** Every key the answer has is declared, with the declared JSON type (amounts: strings, never numbers). */
    static void conforms(JsonNode value, JsonNode schema, JsonNode doc, String where) {
        if (schema.has("$ref")) {
            String name = schema.get("$ref").asText().substring("#/components/schemas/".length());
            conforms(value, doc.get("components").get("schemas").get(name), doc, where);
            return;
        }
        if (value.isNull()) {
            return;
        }
        String type = schema.has("type") ? schema.get("type").asText() : "object";
        switch (type) {
            case "object" -> {
                assertThat(value.isObject()).as(where + " is an object").isTrue();
                JsonNode props = schema.get("properties");
                for (Map.Entry<String, JsonNode> f : value.properties()) {
                    String at = where + "." + f.getKey();
                    if (props != null && props.has(f.getKey())) {
                        conforms(f.getValue(), props.get(f.getKey()), doc, at);
                    } else {
                        assertThat(schema.has("additionalProperties")).as(at + " is not in the document").isTrue();
                        conforms(f.getValue(), schema.get("additionalProperties"), doc, at);
                    }
                }
            }
            case "array" -> {
                assertThat(value.isArray()).as(where + " is an array").isTrue();
                int i = 0;
                for (JsonNode item : value) {
                    conforms(item, schema.get("items"), doc, where + "[" + i++ + "]");
                }
            }
            case "string" -> assertThat(value.isTextual()).as(where + " is a string: " + value).isTrue();
            case "integer" -> assertThat(value.isIntegralNumber()).as(where + " is an integer: " + value).isTrue();
            case "boolean" -> assertThat(value.isBoolean()).as(where + " is a boolean: " + value).isTrue();
            default -> throw new AssertionError(where + ": schema type " + type + " not checked here");
        }
    }

    private static Map<String, Object> node(String... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("effectiveFrom", FROM);
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static String base() {
        return "http://127.0.0.1:" + APP.getLocalPort();
    }

    private static String token() {
        ApiConfiguration.Auth auth = APP.getConfiguration().getAuth();
        return "Bearer " + auth.localIssuer().mint(auth.getFirstAdmin(), Duration.ofMinutes(10));
    }
}
