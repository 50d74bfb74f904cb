package cms.api.input;

import cms.api.TestApi;
import cms.api.TestServer;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static cms.api.TestApi.ADMIN;
import static cms.api.TestApi.D1;
import static cms.api.TestApi.json;
import static org.assertj.core.api.Assertions.assertThat;

/** Each bound of CONTRACT.md's HTTP API, in the in-process API and (for what only Jetty does) a real server. */
@ExtendWith(DropwizardExtensionsSupport.class)
class BoundedInputTest {
    private static final TestApi API = new TestApi();
    static final io.dropwizard.testing.junit5.ResourceExtension RESOURCES = API.resources;
    private static final TestServer SERVER = new TestServer(new TestApi());
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @AfterAll
    static void stop() {
        SERVER.close();
    }

    private static String book(String tierJson) {
        return "{\"name\":\"B\",\"currency\":\"EUR\",\"effectiveFrom\":\"2026-02-01T00:00:00Z\",\"rates\":[{\"meterId\":\"m\","
                + "\"model\":\"GRADUATED\",\"tiers\":[" + tierJson + "]}]}";
    }

    private static String plan(String rate) {
        return "{\"name\":\"P\",\"owner\":\"PLATFORM\",\"effectiveFrom\":\"2026-02-01T00:00:00Z\","
                + "\"partnerShare\":{\"model\":\"FLAT\",\"tiers\":[{\"rate\":" + rate + "}]}}";
    }

    private static String error(Response r, int status) {
        String body = r.readEntity(String.class);
        assertThat(r.getStatus()).as(body).isEqualTo(status);
        assertThat(body.length()).isLessThan(1000);
        assertThat(body).startsWith("{\"code\":" + status + ",\"message\":\"");
        return body;
    }

    @Test
    void hugeExponentsAreRefusedOnTheirTextQuickly() {
        for (String bad : new String[] {"\"1e100000000\"", "\"1e999999999\"", "1e999999999", "\"-1E+2147483648\"",
                "\"0e999999999\"", "\"1e-999999999\""}) {
            long start = System.nanoTime();
            String body = error(API.putRaw("/v1/commission-plans/huge", ADMIN, plan(bad)), 422);
            assertThat(body).contains("partnerShare.tiers[0].rate: out of range");
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2000);
        }
        long start = System.nanoTime();
        String body = error(API.putRaw("/v1/price-books/huge", ADMIN,
                book("{\"upTo\":\"1e30000000\",\"unitPrice\":\"1\"},{\"unitPrice\":\"1\"}")), 422);
        assertThat(body).contains("rates[0].tiers[0].upTo: out of range");
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2000);
    }

    @Test
    void decimalsHoldAtMost28SignificantDigitsAndEchoAtMost40Characters() {
        String digits29 = "1234567890123456789.0123456789";
        String body = error(API.putRaw("/v1/price-books/long", ADMIN,
                book("{\"unitPrice\":\"" + digits29 + "\"}")), 422);
        assertThat(body).contains("rates[0].tiers[0].unitPrice: at most 28 significant digits, was 29");
        String hundred = "1".repeat(101);
        body = error(API.putRaw("/v1/price-books/long", ADMIN, book("{\"unitPrice\":\"" + hundred + "\"}")), 422);
        assertThat(body).contains("unitPrice: at most 100 characters").doesNotContain("1".repeat(41));
        body = error(API.putRaw("/v1/price-books/long", ADMIN, book("{\"unitPrice\":\"12x" + "9".repeat(50) + "\"}")), 400);
        assertThat(body).contains("unitPrice: must be a decimal number").doesNotContain("9".repeat(41));
        // within the bounds, a number or a string, trailing zeros not counted
        Response ok = API.putRaw("/v1/price-books/fine", ADMIN,
                book("{\"upTo\":1e3,\"unitPrice\":\"0.050000000000000000\"},{\"unitPrice\":0.04}"));
        assertThat(ok.getStatus()).as(ok.readEntity(String.class)).isEqualTo(201);
    }

    @Test
    void boundedDecimalCountsDigitsAndMagnitudeOnTheText() {
        assertThat(BoundedDecimal.problem("1234567890123456789012345678")).isEmpty();
        assertThat(BoundedDecimal.problem("12345678901234567890123456789")).isPresent();
        assertThat(BoundedDecimal.problem("0.000000000000000000000000000000000000001")).isEmpty(); // 1e-39
        assertThat(BoundedDecimal.problem("1e40")).isEmpty();
        assertThat(BoundedDecimal.problem("1e41")).isPresent();
        assertThat(BoundedDecimal.problem("0.1e-39")).isEmpty();
        assertThat(BoundedDecimal.problem("0.1e-40")).isPresent();
        assertThat(BoundedDecimal.problem("100000000000000000000000000000000000000.0")).isEmpty(); // 1e38, one digit
        for (String bad : new String[] {"", "-", ".", "1e", "1e+", "1.2.3", "0x10", "NaN", "Infinity", "1_000", " 1", "1 "}) {
            assertThat(BoundedDecimal.problem(bad)).as(bad).isPresent();
        }
    }

    @Test
    void instantsLieBetween1970And9999() {
        String far = "{\"name\":\"X\",\"effectiveFrom\":\"+999999999-01-01T00:00:00Z\"}";
        assertThat(error(API.putRaw("/v1/distributors/far", ADMIN, far), 422))
                .contains("effectiveFrom: must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z");
        String early = "{\"name\":\"X\",\"effectiveFrom\":\"1969-12-31T23:59:59Z\"}";
        error(API.putRaw("/v1/distributors/early", ADMIN, early), 422);
        assertThat(error(API.get("/v1/usage/tenant/t1?from=%2B999999999-01-01T00:00:00Z&to=%2B999999999-02-01T00:00:00Z"
                + "&granularity=DAY", ADMIN), 422)).contains("from: must be between");
        assertThat(error(API.get("/v1/periods/0001-01", ADMIN), 422)).contains("period: must be between");
        assertThat(error(API.get("/v1/statements/t1?period=1969-12", ADMIN), 422)).contains("period: must be between");
    }

    @Test
    void attributeMapsHoldAtMost50EntriesOf256Characters() {
        StringBuilder many = new StringBuilder("{");
        for (int i = 0; i < 51; i++) {
            many.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"v\"");
        }
        many.append('}');
        assertThat(error(API.putRaw("/v1/distributors/attrs", ADMIN,
                "{\"effectiveFrom\":\"2026-01-01T00:00:00Z\",\"attributes\":" + many + "}"), 422))
                .contains("attributes: at most 50 entries, was 51");
        assertThat(error(API.putRaw("/v1/distributors/attrs", ADMIN,
                "{\"effectiveFrom\":\"2026-01-01T00:00:00Z\",\"attributes\":{\"crm\":\"" + "x".repeat(257) + "\"}}"), 422))
                .contains("attributes.crm: values are at most 256 characters, was 257");
        assertThat(error(API.putRaw("/v1/distributors/attrs", ADMIN,
                "{\"effectiveFrom\":\"2026-01-01T00:00:00Z\",\"attributes\":{\"" + "k".repeat(300) + "\":\"v\"}}"), 422))
                .contains("keys must be 1 to 256 characters");
        Response ok = API.putRaw("/v1/distributors/attrs", ADMIN,
                "{\"effectiveFrom\":\"2026-01-01T00:00:00Z\",\"attributes\":{\"" + "k".repeat(256) + "\":\"" + "v".repeat(256) + "\"}}");
        assertThat(ok.getStatus()).isEqualTo(201);
    }

    @Test
    void jsonTypesAreStrict() {
        assertThat(error(API.putRaw("/v1/distributors/typed", ADMIN,
                "{\"name\":123,\"effectiveFrom\":\"2026-01-01T00:00:00Z\"}"), 400)).contains("\"name: cannot read '123' as a string\"");
        assertThat(error(API.putRaw("/v1/distributors/typed", ADMIN, "{\"effectiveFrom\":12345}"), 400))
                .contains("\"effectiveFrom: expected a string, ISO-8601");
        assertThat(error(API.putRaw("/v1/distributors/typed", ADMIN,
                "{\"status\":1,\"effectiveFrom\":\"2026-01-01T00:00:00Z\"}"), 400)).contains("\"status: ");
        assertThat(error(API.putRaw("/v1/distributors/typed", ADMIN,
                "{\"effectiveFrom\":\"2026-01-01T00:00:00Z\",\"attributes\":{\"a\":1}}"), 400)).contains("attributes.a: cannot read '1' as a string");
        assertThat(error(API.putRaw("/v1/distributors/d1/commission-plan", ADMIN,
                "{\"inherit\":\"true\",\"effectiveFrom\":\"2026-01-01T00:00:00Z\"}"), 400)).contains("inherit: expected true or false");
        assertThat(error(API.putRaw("/v1/distributors/typed", ADMIN,
                "{\"name\":\"a\",\"name\":\"b\",\"effectiveFrom\":\"2026-01-01T00:00:00Z\"}"), 400)).contains("name: given twice");
        assertThat(error(API.putRaw("/v1/distributors/typed", ADMIN,
                "{\"effectiveFrom\":\"2026-01-01T00:00:00Z\"} {}"), 400)).contains("body: ");
        assertThat(error(API.putRaw("/v1/price-books/typed", ADMIN, book("{\"unitPrice\":true}")), 400))
                .contains("rates[0].tiers[0].unitPrice: expected a decimal string");
        assertThat(API.model.node(cms.api.hierarchy.NodeKind.DISTRIBUTOR, "typed")).isEmpty();
    }

    @Test
    void pathIdsMatchThePatternAndCarryNoMatrixParameters() {
        String partner = "{\"effectiveFrom\":\"2026-01-01T00:00:00Z\",\"distributorId\":\"d1\"}";
        assertThat(error(API.putRaw("/v1/partners/a;b", D1, partner), 400)).contains("path: matrix parameters");
        assertThat(error(API.putRaw("/v1/partners/a;b=c", D1, partner), 400)).contains("path: matrix parameters");
        assertThat(API.model.node(cms.api.hierarchy.NodeKind.PARTNER, "a")).isEmpty();
        assertThat(error(API.get("/v1/partners/p1;x", ADMIN), 400)).contains("path: matrix parameters");
        assertThat(error(API.get("/v1/partners/ABC", ADMIN), 400)).contains("id: must match");
        assertThat(error(API.get("/v1/statements/" + "t".repeat(65) + "?period=2026-10", ADMIN), 400)).contains("tenantId: must match");
    }

    @Test
    void bodiesAreAtMostOneMebibyte() throws Exception {
        String big = "{\"name\":\"" + "x".repeat(InputLimits.MAX_BODY_BYTES) + "\"}";
        assertThat(error(API.putRaw("/v1/distributors/big", ADMIN, big), 413)).contains("body: at most 1048576 bytes");
        // chunked, without a Content-Length, through a real server
        HttpRequest chunked = HttpRequest.newBuilder(SERVER.uri("/v1/distributors/big"))
                .header("Authorization", TestApi.bearer(ADMIN)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(
                        big.getBytes(StandardCharsets.UTF_8)))).build();
        HttpResponse<String> r = HTTP.send(chunked, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(r.body()).startsWith("{\"code\":413,\"message\":\"body: at most");
    }

    @Test
    void jettysOwnErrorsAreJson() throws Exception {
        for (String method : new String[] {"GET", "PUT", "DELETE"}) {
            for (String path : new String[] {"/v1/partners/a%2Fb", "/v1/partners/a%00b", "/v1/partners/%2e%2e/x",
                "/v1/" + "x".repeat(10_000)}) {
                // a fresh client each time: Jetty closes the connection after refusing a request with an unread body
                HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + SERVER.port() + path))
                        .header("Authorization", TestApi.bearer(ADMIN)).header("Accept", "text/html")
                        .method(method, HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(method + " " + path).isBetween(400, 499);
                assertThat(r.body()).as(method + " " + path).startsWith("{\"code\":" + r.statusCode() + ",\"message\":");
                assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
            }
        }
        String raw = raw("GET /v1/me HTTP/1.1\r\nHost: x\r\nX-Big: " + "h".repeat(20_000) + "\r\n\r\n");
        assertThat(raw).startsWith("HTTP/1.1 431").contains("{\"code\":431,\"message\":");
        raw = raw("GARBAGE\r\n\r\n");
        assertThat(raw).startsWith("HTTP/1.1 400").contains("{\"code\":400,\"message\":");
        raw = raw("TRACE /v1/me HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertThat(raw).startsWith("HTTP/1.1 405").contains("{\"code\":405,\"message\":");
        raw = raw("GET /v1/nothing-here HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertThat(raw).startsWith("HTTP/1.1 404").contains("{\"code\":404,\"message\":");
    }

    /** One raw HTTP/1.1 exchange with the test server, for requests no client library will send. */
    static String raw(String request) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", SERVER.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            return all.toString(StandardCharsets.UTF_8);
        }
    }

    @SuppressWarnings("unused")
    private static Map<String, Object> view(Response r) {
        return json(r);
    }
}
