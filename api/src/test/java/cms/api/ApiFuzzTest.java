package cms.api;

import cms.api.auth.Caller;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Property-based fuzzing of every endpoint and field of the API (jqwik), on a real Jetty serving the
 * resources of a {@link TestApi} hardened as the product is ({@link TestServer}): admin PUTs with
 * each field of their bodies set to hostile or random values (huge decimals and exponents, long
 * strings, wrong JSON types, deep nesting, bad instants, unicode, control characters), whole bodies
 * replaced (malformed, oversized), queries with hostile parameters, path ids with matrix parameters,
 * encoded slashes and NULs, and raw requests no client library would send. Every answer must be:
 * below 500; for 4xx in the JSON error shape {"code": N, "message": "..."} with N the status, and
 * for a body or parameter the API reads, a message that starts with a field name and names the
 * field that was made hostile; at most {@link #MAX_ANSWER_BYTES}; and each request within
 * {@link #MAX_CPU} of CPU on the thread that served it and {@link #MAX_WALL} of wall time.
 *
 * <p>Tries per property: {@code jqwik.tries.default} in src/test/resources/junit-platform.properties
 * (the suite's), or {@code -Djqwik.tries.default=20000} for a longer run. The figures of a run
 * (requests, the slowest and costliest) are printed at the end.
 */
class ApiFuzzTest {
    static final int MAX_ANSWER_BYTES = 64 * 1024;
    static final Duration MAX_CPU = Duration.ofSeconds(2);
    static final Duration MAX_WALL = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern FIELD_MESSAGE = Pattern.compile("^[A-Za-z][A-Za-z0-9]*(\\[\\d+])*(\\.[^:]+)?: .+", Pattern.DOTALL);
    private static final String PLACEHOLDER = "\u0000fuzz-placeholder\u0000";

    private static TestApi api;
    private static TestServer server;
    private static HttpClient http;
    private static final AtomicLong REQUESTS = new AtomicLong();
    private static final AtomicLong MAX_CPU_MICROS = new AtomicLong();
    private static final AtomicLong MAX_WALL_MILLIS = new AtomicLong();
    private static final AtomicLong MAX_BYTES = new AtomicLong();
    private static final AtomicLong BY_STATUS_4XX = new AtomicLong();
    private static final AtomicLong RETRIES = new AtomicLong();
    private static long startedAt;
    private static final AtomicLong IDS = new AtomicLong();

    @BeforeContainer
    static void start() {
        api = new TestApi();
        server = new TestServer(api);
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        startedAt = System.nanoTime();
    }

    @AfterContainer
    static void stop() {
        long seconds = (System.nanoTime() - startedAt) / 1_000_000_000L;
        System.out.printf(Locale.ROOT, "API fuzz: %d requests in %d s (%d answered 4xx); costliest %d us CPU, slowest %d ms, "
                        + "largest answer %d bytes; %d sent again on a fresh connection%n", REQUESTS.get(), seconds, BY_STATUS_4XX.get(),
                MAX_CPU_MICROS.get(), MAX_WALL_MILLIS.get(), MAX_BYTES.get(), RETRIES.get());
        server.close();
    }

    // ------------------------------------------------------------------ the endpoints and their bodies

    /** An admin PUT: its path (with {id} to fill), the caller, and a valid body to make hostile. */
    record Put(String path, Caller caller, String body) {
        ObjectNode tree() {
            try {
                return (ObjectNode) JSON.readTree(body);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    static final List<Put> PUTS = List.of(
            new Put("/v1/distributors/{id}", TestApi.ADMIN,
                    "{\"name\":\"North\",\"status\":\"ACTIVE\",\"effectiveFrom\":\"2026-01-01T00:00:00Z\",\"attributes\":{\"crm\":\"42\"}}"),
            new Put("/v1/partners/{id}", TestApi.D1,
                    "{\"name\":\"P\",\"status\":\"ACTIVE\",\"effectiveFrom\":\"2026-01-01T00:00:00Z\",\"distributorId\":\"d1\",\"attributes\":{}}"),
            new Put("/v1/tenants/{id}", TestApi.P1,
                    "{\"name\":\"T\",\"status\":\"SUSPENDED\",\"effectiveFrom\":\"2026-02-01T00:00:00Z\",\"partnerId\":\"p1\",\"attributes\":{\"a\":\"b\"}}"),
            new Put("/v1/subscriptions/{id}", TestApi.ADMIN,
                    "{\"name\":\"S\",\"effectiveFrom\":\"2026-03-01T00:00:00Z\",\"tenantId\":\"t1\",\"priceBookId\":\"pb-eur\",\"attributes\":{}}"),
            new Put("/v1/distributors/d1/commission-plan", TestApi.ADMIN,
                    "{\"planId\":\"gold\",\"effectiveFrom\":\"2026-02-01T00:00:00Z\"}"),
            new Put("/v1/partners/p1/commission-plan", TestApi.D1,
                    "{\"inherit\":true,\"effectiveFrom\":\"2026-03-01T00:00:00Z\"}"),
            new Put("/v1/price-books/{id}", TestApi.ADMIN,
                    "{\"name\":\"Std\",\"currency\":\"EUR\",\"effectiveFrom\":\"2026-01-01T00:00:00Z\",\"rates\":["
                            + "{\"meterId\":\"compute.vcpu.hours\",\"region\":\"eu-west\",\"model\":\"GRADUATED\",\"includedQuantity\":\"10\","
                            + "\"tiers\":[{\"upTo\":\"100\",\"unitPrice\":\"0.05\"},{\"upTo\":null,\"unitPrice\":\"0.04\"}],\"unit\":\"h\"},"
                            + "{\"meterId\":\"storage.gb.months\",\"model\":\"VOLUME\",\"tiers\":[{\"upTo\":5,\"unitPrice\":1},{\"unitPrice\":0.5}]}]}"),
            new Put("/v1/commission-plans/{id}", TestApi.ADMIN,
                    "{\"name\":\"Gold\",\"owner\":\"PLATFORM\",\"ownerId\":null,\"effectiveFrom\":\"2026-01-01T00:00:00Z\","
                            + "\"partnerShare\":{\"model\":\"GRADUATED\",\"tiers\":[{\"upTo\":\"10000\",\"rate\":\"0.10\"},{\"upTo\":null,\"rate\":\"0.12\"}]},"
                            + "\"distributorShare\":{\"model\":\"FLAT\",\"tiers\":[{\"rate\":\"0.05\"}]}}"),
            new Put("/v1/commission-plans/{id}", TestApi.P1,
                    "{\"name\":\"Mine\",\"effectiveFrom\":\"2026-01-01T00:00:00Z\","
                            + "\"partnerShare\":{\"model\":\"FLAT\",\"tiers\":[{\"rate\":\"0.2\"}]}}"));

    /** A query: its path with {param} slots, and a valid value for each slot. */
    record Query(String template, List<String> names, List<String> valid) {}

    static final List<Query> QUERIES = List.of(
            new Query("/v1/usage/{level}/{id}?from={from}&to={to}&granularity={granularity}&breakdown={breakdown}",
                    List.of("level", "id", "from", "to", "granularity", "breakdown"),
                    List.of("tenant", "t1", "2026-10-01T00:00:00Z", "2026-10-03T00:00:00Z", "HOUR", "meter,child")),
            new Query("/v1/commissions/{level}/{id}?period={period}", List.of("level", "id", "period"),
                    List.of("partner", "p1", "2026-10")),
            new Query("/v1/statements/{tenantId}?period={period}", List.of("tenantId", "period"), List.of("t1", "2026-10")),
            new Query("/v1/periods/{period}", List.of("period"), List.of("2026-10")),
            new Query("/v1/{kind}/{id}", List.of("kind", "id"), List.of("partners", "p1")),
            new Query("/v1/{kind}/{id}/children", List.of("kind", "id"), List.of("distributors", "d1")),
            new Query("/v1/price-books/{id}", List.of("id"), List.of("pb-eur")),
            new Query("/v1/commission-plans/{id}", List.of("id"), List.of("gold")),
            new Query("/v1/me", List.of(), List.of()));

    // ------------------------------------------------------------------ hostile values

    /** Strings an attacker, a buggy client or a careless script would send. */
    static Arbitrary<String> hostileStrings() {
        Arbitrary<String> decimals = Arbitraries.of("1e100000000", "1e999999999", "-1e-999999999", "0e999999999", "1E+2147483648",
                "9".repeat(29), "0." + "0".repeat(60) + "1", "1." + "0".repeat(200), "-1", "+1", "NaN", "Infinity", "-0", "1_000",
                "0x1A", "\u0661\u0662\u0663", "\uff11\uff12", " 1", "1 ", "1e", ".", "-", "1e30000000", "12345678901234567890.123456789");
        Arbitrary<String> instants = Arbitraries.of("+999999999-01-01T00:00:00Z", "-999999999-01-01T00:00:00Z",
                "+10000-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "1970-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z",
                "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-01-01", "2026-01-01T00:00:00", "2026-01-01T00:00:00+25:00",
                "2026-01-01T24:00:00Z", "0000-01", "9999-12", "+10000-01", "2026-1", "2026-00", "12345", "T", "Z");
        Arbitrary<String> ids = Arbitraries.of("", "a", "A", "a".repeat(64), "a".repeat(65), "a;b", "a/b", "..", ".", "a%2Fb",
                "a\u0000b", "-a", "a b", "\u00e9t\u00e9", "d1", "p1", "t1", "pb-eur", "gold", "default", "p3", "s4");
        Arbitrary<String> enums = Arbitraries.of("ACTIVE", "active", "SUSPENDED", "DELETED", "FLAT", "GRADUATED", "PER_UNIT",
                "VOLUME", "PLATFORM", "DISTRIBUTOR", "PARTNER", "gRaDuAtEd", "HOUR", "day", "MONTH", "meter", "child",
                "meter,child,meter", "EUR", "eur", "XAU", "XXX", "EURO", "USD", "tenant", "partners", "subscription");
        Arbitrary<String> unicode = Arbitraries.of("\ud83d\ude00", "\ud800", "\udfff", "\u202eevil", "\u200b", "e\u0301",
                "\u0000", "\u001f\u007f", "\ufeff", "\uffff", "\r\n", "\t", "<script>alert(1)</script>", "'; DROP TABLE x; --",
                "${jndi:ldap://x}", "%s%n", "\\", "\"", "{}", "[]");
        Arbitrary<String> lengths = Arbitraries.of(200, 201, 256, 257, 1000, 10_000, 100_000, 600_000)
                .flatMap(n -> Arbitraries.of("x", "\u00e9", "\ud83d\ude00", "9").map(c -> c.repeat(c.length() == 2 ? n / 2 : n)));
        Arbitrary<String> random = Arbitraries.strings().all().ofMaxLength(60);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, decimals), net.jqwik.api.Tuple.of(4, instants), net.jqwik.api.Tuple.of(3, ids),
                net.jqwik.api.Tuple.of(3, enums), net.jqwik.api.Tuple.of(3, unicode), net.jqwik.api.Tuple.of(1, lengths),
                net.jqwik.api.Tuple.of(3, random));
    }

    /** Any JSON value as text: hostile strings, numbers beyond every bound, wrong types, deep nesting, malformed fragments. */
    static Arbitrary<String> hostileJson() {
        Arbitrary<String> strings = hostileStrings().map(ApiFuzzTest::quote);
        Arbitrary<String> numbers = Arbitraries.oneOf(
                Arbitraries.of("1e999999999", "-1e-999999999", "1E400", "0", "-0", "1.5", "123456789012345678901234567890",
                        "9".repeat(1000), "9".repeat(1001), "1" + "0".repeat(500), "0.1e-40", "12345"),
                Arbitraries.bigDecimals().map(java.math.BigDecimal::toString),
                Arbitraries.longs().map(String::valueOf));
        Arbitrary<String> types = Arbitraries.of("true", "false", "null", "[]", "{}", "[1,\"a\",null]", "{\"a\":{\"b\":[1]}}",
                "[\"2026-01-01T00:00:00Z\"]", "{\"upTo\":1}");
        Arbitrary<String> nesting = Arbitraries.integers().between(50, 3000)
                .flatMap(d -> Arbitraries.of("[", "{\"a\":").map(open -> open.repeat(d) + "1"
                        + (open.equals("[") ? "]" : "}").repeat(d)));
        Arbitrary<String> malformed = Arbitraries.of("nul", "tru", "'x'", "NaN", "Infinity", "+1", "01", ".5", "1.", "\"abc",
                "\"\\u12\"", "\"\\x41\"", "[1,]", "{\"a\"}", "", "\"\u0001\"");
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(6, strings), net.jqwik.api.Tuple.of(3, numbers),
                net.jqwik.api.Tuple.of(3, types), net.jqwik.api.Tuple.of(1, nesting), net.jqwik.api.Tuple.of(2, malformed));
    }

    /** A JSON string literal for any Java string, lone surrogates and control characters escaped. */
    static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || Character.isSurrogate(c) || c == 0x7f) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    // ------------------------------------------------------------------ properties

    /** One field of one admin body set to a hostile value, or taken away, or a field added that the API does not know. */
    @Property
    void everyFieldOfEveryAdminBody(@ForAll("puts") Put put, @ForAll("fieldChoice") int choice, @ForAll("hostileJsonValue") String value,
                                    @ForAll("mutation") int mutation) throws Exception {
        ObjectNode body = put.tree();
        List<String> paths = new ArrayList<>();
        collect(body, "", paths);
        String path = paths.get(Math.floorMod(choice, paths.size()));
        String json;
        String field;
        if (mutation == 0) { // remove the field
            remove(body, path);
            json = JSON.writeValueAsString(body);
            field = path;
        } else if (mutation == 1) { // a field the API does not know, beside it
            String parent = path.contains(".") ? path.substring(0, path.lastIndexOf('.')) : "";
            JsonNode at = parent.isEmpty() ? body : find(body, parent);
            if (at instanceof ObjectNode o) {
                o.put("unknownField", PLACEHOLDER);
            } else {
                body.put("unknownField", PLACEHOLDER);
                parent = "";
            }
            json = JSON.writeValueAsString(body).replace(quote(PLACEHOLDER), value);
            field = parent.isEmpty() ? "unknownField" : parent + ".unknownField";
        } else { // the field's value made hostile
            set(body, path, PLACEHOLDER);
            json = JSON.writeValueAsString(body).replace(quote(PLACEHOLDER), value);
            field = path;
        }
        Answer a = send("PUT", put.path().replace("{id}", "fz-" + IDS.incrementAndGet()), put.caller(), json);
        a.check(field);
    }

    /** Whole bodies that are no body of the endpoint at all: malformed, another type, nested, empty, over 1 MiB. */
    @Property(tries = 150)
    void wholeBodies(@ForAll("puts") Put put, @ForAll("wholeBody") String body) throws Exception {
        Answer a = send("PUT", put.path().replace("{id}", "fz-" + IDS.incrementAndGet()), put.caller(), body);
        a.check(null);
        if (body.length() > cms.api.input.InputLimits.MAX_BODY_BYTES) {
            assertThat(a.status).isEqualTo(413);
        }
    }

    /** Each parameter of each query (path and query string) set to a hostile value. */
    @Property
    void everyParameterOfEveryQuery(@ForAll("queries") Query query, @ForAll("fieldChoice") int choice,
                                    @ForAll("hostileString") String value, @ForAll("caller") Caller caller) throws Exception {
        String uri = query.template();
        String hostile = query.names().isEmpty() ? null : query.names().get(Math.floorMod(choice, query.names().size()));
        for (int i = 0; i < query.names().size(); i++) {
            String name = query.names().get(i);
            String v = name.equals(hostile) ? value : query.valid().get(i);
            uri = uri.replace("{" + name + "}", encode(v));
        }
        Answer a = send("GET", uri, caller, null);
        a.check(hostile == null ? null : fieldFor(hostile));
    }

    /** Paths with matrix parameters, encoded slashes, NULs, dot segments, long segments, under every method. */
    @Property(tries = 300)
    void hostilePaths(@ForAll("hostilePath") String path, @ForAll("method") String method) throws Exception {
        Answer a = sendRaw(method, path, TestApi.ADMIN, method.equals("PUT") || method.equals("POST") ? "{}" : null);
        a.check(null);
    }

    /** Requests no client library sends: bad request lines, bad headers, huge headers, broken chunking. */
    @Property(tries = 60)
    void rawRequests(@ForAll("rawRequest") String request) throws Exception {
        long start = System.nanoTime();
        String answer = raw(request);
        long wall = (System.nanoTime() - start) / 1_000_000;
        REQUESTS.incrementAndGet();
        MAX_WALL_MILLIS.accumulateAndGet(wall, Math::max);
        assertThat(wall).as(request).isLessThan(MAX_WALL.toMillis());
        if (answer.isEmpty()) {
            return; // the server closed the connection without an answer, as it may for garbage
        }
        int status = Integer.parseInt(answer.substring(9, 12));
        // the one 5xx HTTP itself prescribes for a request: 505 for a protocol version the server does not speak
        boolean http11 = request.matches("(?s)[A-Z]+ \\S+ HTTP/1\\.[01]\r\n.*");
        assertThat(status == 505 ? !http11 : status < 500).as(answer).isTrue();
        int split = answer.indexOf("\r\n\r\n");
        String body = split < 0 ? "" : answer.substring(split + 4);
        assertThat(body.length()).isLessThanOrEqualTo(MAX_ANSWER_BYTES);
        if (status >= 400 && !body.isEmpty()) {
            assertThat(body).as(answer).startsWith("{\"code\":" + status + ",\"message\":\"");
        }
    }

    // ------------------------------------------------------------------ generators

    @Provide
    Arbitrary<Put> puts() {
        return Arbitraries.of(PUTS);
    }

    @Provide
    Arbitrary<Query> queries() {
        return Arbitraries.of(QUERIES);
    }

    @Provide
    Arbitrary<Integer> fieldChoice() {
        return Arbitraries.integers().between(0, 1000);
    }

    @Provide
    Arbitrary<Integer> mutation() {
        return Arbitraries.frequency(net.jqwik.api.Tuple.of(1, 0), net.jqwik.api.Tuple.of(1, 1), net.jqwik.api.Tuple.of(8, 2));
    }

    @Provide
    Arbitrary<String> hostileJsonValue() {
        return hostileJson();
    }

    @Provide
    Arbitrary<String> hostileString() {
        return hostileStrings();
    }

    @Provide
    Arbitrary<Caller> caller() {
        return Arbitraries.of(TestApi.ADMIN, TestApi.D1, TestApi.P1, TestApi.T1);
    }

    @Provide
    Arbitrary<String> method() {
        return Arbitraries.of("GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS");
    }

    @Provide
    Arbitrary<String> wholeBody() {
        return Arbitraries.oneOf(hostileJson(),
                Arbitraries.strings().all().ofMaxLength(200),
                Arbitraries.of("", " ", "{", "}", "{}", "[]", "[{}]", "null", "\"x\"", "{\"effectiveFrom\":\"2026-01-01T00:00:00Z\"} trailing",
                        "{\"a\":1,\"a\":2}", "\ufeff{}", "{\"name\":\"x\"}\u0000"),
                Arbitraries.integers().between(cms.api.input.InputLimits.MAX_BODY_BYTES - 100, cms.api.input.InputLimits.MAX_BODY_BYTES + 100)
                        .map(n -> "{\"name\":\"" + "x".repeat(Math.max(0, n - 11)) + "\"}"));
    }

    @Provide
    Arbitrary<String> hostilePath() {
        Arbitrary<String> prefix = Arbitraries.of("/v1/partners/", "/v1/distributors/", "/v1/tenants/", "/v1/subscriptions/",
                "/v1/price-books/", "/v1/commission-plans/", "/v1/statements/", "/v1/periods/", "/v1/usage/tenant/",
                "/v1/commissions/partner/", "/v1/", "/", "/v1/me/");
        Arbitrary<String> segment = Arbitraries.oneOf(
                Arbitraries.of("a;b", "p1;x=y", ";", "a%2Fb", "%2F", "a%00b", "%00", "%2e%2e", "..", "%2e", "a%5Cb", "a%25", "%",
                        "%zz", "p1%3Bb", "a%20b", "%C0%AF", "%ED%A0%80", "%FF", "x".repeat(9000), "p1/children;x",
                        "d1/commission-plan;a", "p1//children", "~", "a:b", "@"),
                // long enough for 414 (Jetty's URI limit is 8 KiB), short enough to be written before Jetty answers
                hostileStrings().map(ApiFuzzTest::encode).map(e -> e.length() > 20_000 ? e.substring(0, 20_000).replaceAll("%.?$", "") : e));
        return Combinators.combine(prefix, segment, Arbitraries.of("", "?period=2026-10", "?x=%00", "?a=;", "?period=2026-10&period=2026-11"))
                .as((p, s, q) -> p + s + q);
    }

    @Provide
    Arbitrary<String> rawRequest() {
        return Arbitraries.of(
                "GARBAGE\r\n\r\n",
                "GET /v1/me HTTP/9.9\r\nHost: x\r\n\r\n",
                "GET /v1/me\r\n\r\n",
                "GET /v1/me HTTP/1.1\r\n\r\n",
                "GET /v1/me HTTP/1.1\r\nHost: x\r\nX-Big: " + "h".repeat(20_000) + "\r\n\r\n",
                "GET /v1/" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET /v1/me HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n",
                "GET /v1/me HTTP/1.1\r\nHost: x\r\nX: \u0000\r\n\r\n",
                "GET /v1/\u00e9 HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET /v1/a b HTTP/1.1\r\nHost: x\r\n\r\n",
                "PUT /v1/distributors/x HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 99999999999999999999\r\n\r\n{}",
                "PUT /v1/distributors/x HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n{}",
                "PUT /v1/distributors/x HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n",
                "PUT /v1/distributors/x HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}",
                "TRACE /v1/me HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                "CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET http://evil/v1/me HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                "GET /v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + "a".repeat(7000) + "\r\nConnection: close\r\n\r\n",
                "GET /v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \u0000\r\nConnection: close\r\n\r\n",
                "GET /v1/me HTTP/1.1\r\nHost: x\r\n" + "X-A: b\r\n".repeat(2000) + "\r\n");
    }

    // ------------------------------------------------------------------ requests and what every answer must be

    /** @param cpuMicros -1 when Jersey never saw the request (Jetty answered it itself: no field to name) */
    record Answer(String method, String uri, int status, String body, long cpuMicros, long wallMillis, String request) {
        void check(String field) {
            String what = method + " " + uri + " -> " + status + " " + cut(body) + " for " + cut(request);
            assertThat(status).as(what).isLessThan(500);
            assertThat(body.length()).as(what).isLessThanOrEqualTo(MAX_ANSWER_BYTES);
            assertThat(cpuMicros).as(what).isLessThan(MAX_CPU.toNanos() / 1000);
            assertThat(wallMillis).as(what).isLessThan(MAX_WALL.toMillis());
            if (status < 400) {
                return;
            }
            BY_STATUS_4XX.incrementAndGet();
            JsonNode error;
            try {
                error = JSON.readTree(body);
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + what, e);
            }
            assertThat(error.isObject() && error.size() == 2).as(what).isTrue();
            assertThat(error.path("code").asInt()).as(what).isEqualTo(status);
            assertThat(error.path("message").isTextual()).as(what).isTrue();
            String message = error.path("message").asText();
            if (field != null && cpuMicros >= 0 && (status == 400 || status == 422)) {
                assertThat(message).as(what).matches(FIELD_MESSAGE);
                assertThat(names(message, field)).as(what + ": names " + field).isTrue();
            }
        }
    }

    private static String cut(String s) {
        return s == null ? "" : s.length() > 300 ? s.substring(0, 300) + "...(" + s.length() + ")" : s;
    }

    /**
     * True when the message is about the field that was made hostile: its own path, the path of the
     * object or list holding it, or (for a field that only makes sense together with another) that one.
     */
    static boolean names(String message, String field) {
        String top = field.replaceAll("[.\\[].*", "");
        if (message.contains(field) || message.startsWith(top) || message.contains("; " + top) || message.startsWith("body: ")
                || message.startsWith("path: ")) {
            return true;
        }
        // rules between fields: a plan's owner and its id, its two shares; a rate's model and its tiers;
        // a query's range (from, to) and its granularity; a level and the breakdown it allows
        return (top.equals("owner") && message.contains("ownerId")) || (top.equals("ownerId") && message.contains("owner"))
                || (top.endsWith("Share") && message.contains("Share"))
                || (top.equals("inherit") && message.startsWith("planId")) || (top.equals("planId") && message.contains("planId"))
                || (field.endsWith(".model") && message.contains(field.substring(0, field.length() - "model".length()) + "tiers"))
                || (field.contains(".tiers") && message.contains(field.substring(0, field.indexOf(".tiers")) + ".tiers"))
                || (List.of("from", "to", "granularity").contains(top) && (message.startsWith("to: ") || message.startsWith("from: ")))
                || (top.equals("level") && message.startsWith("breakdown: "));
    }

    /** Which field the API names for a hostile path or query parameter. */
    private static String fieldFor(String parameter) {
        return switch (parameter) {
            case "kind" -> "path";
            default -> parameter;
        };
    }

    static Answer send(String method, String pathAndQuery, Caller caller, String body) throws Exception {
        if (body != null && body.length() > cms.api.input.InputLimits.MAX_BODY_BYTES) {
            // the server answers 413 on the Content-Length and closes; a client still writing would miss it
            return sendRaw(method, pathAndQuery, caller, body);
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + pathAndQuery))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (caller != null) {
            b.header("Authorization", TestApi.bearer(caller));
        }
        long start = System.nanoTime();
        HttpResponse<byte[]> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (java.io.IOException e) {
            // a kept-alive connection the server closed after its previous answer (as Jetty does after
            // refusing a request whose body it did not read): the client does not retry a PUT itself
            RETRIES.incrementAndGet();
            try {
                r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (java.io.IOException again) {
                throw new AssertionError("no answer to " + method + " " + pathAndQuery + " with " + cut(body)
                        + (body == null ? "" : " (" + body.length() + " chars)"), again);
            }
        }
        long wall = (System.nanoTime() - start) / 1_000_000;
        long cpu = r.headers().firstValue(TestServer.CPU_HEADER).map(Long::parseLong).orElse(-1L);
        REQUESTS.incrementAndGet();
        MAX_CPU_MICROS.accumulateAndGet(cpu, Math::max);
        MAX_WALL_MILLIS.accumulateAndGet(wall, Math::max);
        MAX_BYTES.accumulateAndGet(r.body().length, Math::max);
        return new Answer(method, pathAndQuery, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8), cpu, wall, body);
    }

    /** The request as written, over a socket: for paths java.net.URI would refuse or normalize. */
    static Answer sendRaw(String method, String path, Caller caller, String body) throws Exception {
        StringBuilder request = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        if (caller != null) {
            request.append("Authorization: ").append(TestApi.bearer(caller)).append("\r\n");
        }
        if (body != null) {
            request.append("Content-Type: application/json\r\nContent-Length: ")
                    .append(body.getBytes(StandardCharsets.UTF_8).length).append("\r\n");
        }
        request.append("Connection: close\r\n\r\n").append(body == null ? "" : body.substring(0, Math.min(body.length(), 64 * 1024)));
        long start = System.nanoTime();
        String answer = raw(request.toString());
        long wall = (System.nanoTime() - start) / 1_000_000;
        REQUESTS.incrementAndGet();
        MAX_WALL_MILLIS.accumulateAndGet(wall, Math::max);
        assertThat(answer).as(cut(request.toString())).startsWith("HTTP/1.1 ");
        int status = Integer.parseInt(answer.substring(9, 12));
        int split = answer.indexOf("\r\n\r\n");
        String headers = answer.substring(0, split).toLowerCase(Locale.ROOT);
        String content = answer.substring(split + 4);
        if (headers.contains("transfer-encoding: chunked")) {
            content = dechunk(content);
        }
        long cpu = -1;
        for (String line : headers.split("\r\n")) {
            if (line.startsWith(TestServer.CPU_HEADER.toLowerCase(Locale.ROOT) + ":")) {
                cpu = Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
            }
        }
        MAX_CPU_MICROS.accumulateAndGet(cpu, Math::max);
        MAX_BYTES.accumulateAndGet(content.length(), Math::max);
        return new Answer(method, path, status, content, cpu, wall, body);
    }

    private static String dechunk(String chunked) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < chunked.length()) {
            int eol = chunked.indexOf("\r\n", i);
            int size = Integer.parseInt(chunked.substring(i, eol).split(";")[0].strip(), 16);
            if (size == 0) {
                break;
            }
            // sizes count bytes; the answers are JSON, so ASCII apart from echoed text
            byte[] rest = chunked.substring(eol + 2).getBytes(StandardCharsets.UTF_8);
            String piece = new String(rest, 0, Math.min(size, rest.length), StandardCharsets.UTF_8);
            out.append(piece);
            i = eol + 2 + piece.length() + 2;
        }
        return out.toString();
    }

    static String raw(String request) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            int n;
            // the first answer is enough; a kept-alive connection may hold more
            while ((n = in.read(buffer)) > 0 && all.size() <= 2 * MAX_ANSWER_BYTES) {
                all.write(buffer, 0, n);
            }
            return all.toString(StandardCharsets.UTF_8);
        } catch (java.net.SocketException e) {
            return ""; // reset by the server: no answer at all, which is allowed
        }
    }

    /** Percent-encodes everything but unreserved characters, so any string travels as one path segment or parameter value. */
    static String encode(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'
                    || c == '~' || c == ',') {
                out.append((char) c);
            } else {
                out.append('%').append(String.format("%02X", c));
            }
        }
        return out.toString();
    }

    // ------------------------------------------------------------------ JSON paths in a body tree

    private static void collect(JsonNode node, String at, List<String> out) {
        if (!at.isEmpty()) {
            out.add(at);
        }
        if (node instanceof ObjectNode o) {
            o.fieldNames().forEachRemaining(f -> collect(o.get(f), at.isEmpty() ? f : at + "." + f, out));
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                collect(a.get(i), at + "[" + i + "]", out);
            }
        }
    }

    private static JsonNode find(JsonNode root, String path) {
        JsonNode node = root;
        for (String step : steps(path)) {
            node = step.startsWith("[") ? node.get(Integer.parseInt(step.substring(1, step.length() - 1))) : node.get(step);
        }
        return node;
    }

    private static void set(ObjectNode root, String path, String value) {
        List<String> steps = steps(path);
        JsonNode parent = root;
        for (String step : steps.subList(0, steps.size() - 1)) {
            parent = step.startsWith("[") ? parent.get(Integer.parseInt(step.substring(1, step.length() - 1))) : parent.get(step);
        }
        String last = steps.get(steps.size() - 1);
        if (last.startsWith("[")) {
            ((ArrayNode) parent).set(Integer.parseInt(last.substring(1, last.length() - 1)), JSON.getNodeFactory().textNode(value));
        } else {
            ((ObjectNode) parent).put(last, value);
        }
    }

    private static void remove(ObjectNode root, String path) {
        List<String> steps = steps(path);
        JsonNode parent = root;
        for (String step : steps.subList(0, steps.size() - 1)) {
            parent = step.startsWith("[") ? parent.get(Integer.parseInt(step.substring(1, step.length() - 1))) : parent.get(step);
        }
        String last = steps.get(steps.size() - 1);
        if (last.startsWith("[")) {
            ((ArrayNode) parent).remove(Integer.parseInt(last.substring(1, last.length() - 1)));
        } else {
            ((ObjectNode) parent).remove(last);
        }
    }

    /** "rates[0].tiers[1].upTo" as ["rates", "[0]", "tiers", "[1]", "upTo"]. */
    private static List<String> steps(String path) {
        List<String> out = new ArrayList<>();
        for (String part : path.split("\\.")) {
            int bracket = part.indexOf('[');
            if (bracket < 0) {
                out.add(part);
                continue;
            }
            if (bracket > 0) {
                out.add(part.substring(0, bracket));
            }
            for (String index : part.substring(bracket).split("(?=\\[)")) {
                out.add(index);
            }
        }
        return out;
    }
}
