package cms.api;

import cms.api.auth.Caller;
import cms.api.query.PeriodRow;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.dropwizard.testing.junit5.ResourceExtension;
import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

import static cms.api.TestApi.ADMIN;
import static cms.api.TestApi.D1;
import static cms.api.TestApi.P1;
import static cms.api.TestApi.T1;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every role against every endpoint, on a target inside its own branch of {@link Seed} (d1, p1,
 * t1, s1, pb-eur, d1-plan, p1-plan) and one in the other branch (d2, p3, t4, s4, pb-usd, d2-plan,
 * p3-plan), with the status each cell must answer; and every endpoint without a token (401).
 * For platform-admin both branches are inside; for the others the other branch is outside, and
 * so is anything above their own node.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class AuthorizationMatrixTest {
    private static final TestApi API = new TestApi();
    static final ResourceExtension RESOURCES = API.resources;
    private static final AtomicInteger FRESH = new AtomicInteger();
    private static final String FROM = "2026-02-01T00:00:00Z";
    private static final String RANGE = "?from=2026-10-01T00:00:00Z&to=2026-10-02T00:00:00Z&granularity=DAY";

    static {
        API.store.putPeriod(new PeriodRow("2026-10", "FINAL", Instant.parse("2026-11-03T00:00:00Z"), Instant.parse("2026-11-03T00:00:00Z")));
    }

    /** The targets of one branch. */
    record Branch(String d, String p, String t, String s, String book, String dPlan, String pPlan) {}

    static final Branch IN = new Branch("d1", "p1", "t1", "s1", "pb-eur", "d1-plan", "p1-plan");
    static final Branch OUT = new Branch("d2", "p3", "t4", "s4", "pb-usd", "d2-plan", "p3-plan");

    /** One endpoint, aimed at a branch, called as a caller. */
    record Endpoint(String name, BiFunction<Branch, Caller, Response> call) {}

    /** Expected statuses in the order ADMIN in, ADMIN out, D1 in, D1 out, P1 in, P1 out, T1 in, T1 out. */
    record Row(Endpoint endpoint, int... expected) {}

    private static Map<String, Object> body(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        m.put("effectiveFrom", FROM);
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static Map<String, Object> flat(String rate) {
        return Map.of("model", "FLAT", "tiers", List.of(Map.of("rate", rate)));
    }

    private static Map<String, Object> book(String currency) {
        return body("currency", currency, "rates", List.of(Map.of("meterId", "compute.vcpu.hours", "model", "PER_UNIT",
                "tiers", List.of(Map.of("unitPrice", "0.05")))));
    }

    private static Endpoint get(String name, java.util.function.Function<Branch, String> path) {
        return new Endpoint(name, (b, c) -> API.get(path.apply(b), c));
    }

    private static Endpoint put(String name, java.util.function.Function<Branch, String> path,
                                java.util.function.Function<Branch, Object> body) {
        return new Endpoint(name, (b, c) -> API.put(path.apply(b), c, body.apply(b)));
    }

    static List<Row> matrix() {
        List<Row> rows = new ArrayList<>();
        //                                                              admin     d1        p1        t1
        rows.add(new Row(get("GET distributor", b -> "/v1/distributors/" + b.d),                200, 200, 200, 404, 404, 404, 404, 404));
        rows.add(new Row(get("GET distributor children", b -> "/v1/distributors/" + b.d + "/children"), 200, 200, 200, 404, 404, 404, 404, 404));
        rows.add(new Row(get("GET partner", b -> "/v1/partners/" + b.p),                        200, 200, 200, 404, 200, 404, 404, 404));
        rows.add(new Row(get("GET partner children", b -> "/v1/partners/" + b.p + "/children"), 200, 200, 200, 404, 200, 404, 404, 404));
        rows.add(new Row(get("GET tenant", b -> "/v1/tenants/" + b.t),                          200, 200, 200, 404, 200, 404, 200, 404));
        rows.add(new Row(get("GET tenant children", b -> "/v1/tenants/" + b.t + "/children"),   200, 200, 200, 404, 200, 404, 200, 404));
        rows.add(new Row(get("GET subscription", b -> "/v1/subscriptions/" + b.s),              200, 200, 200, 404, 200, 404, 200, 404));
        rows.add(new Row(get("GET subscription children", b -> "/v1/subscriptions/" + b.s + "/children"), 200, 200, 200, 404, 200, 404, 200, 404));

        rows.add(new Row(put("PUT distributor (existing)", b -> "/v1/distributors/" + b.d, b -> body("name", b.d.toUpperCase())),
                200, 200, 403, 403, 403, 403, 403, 403));
        rows.add(new Row(put("PUT partner (existing)", b -> "/v1/partners/" + b.p, b -> body("name", b.p.toUpperCase(), "distributorId", b.d)),
                200, 200, 200, 404, 403, 403, 403, 403));
        rows.add(new Row(put("PUT tenant (existing)", b -> "/v1/tenants/" + b.t, b -> body("name", b.t.toUpperCase(), "partnerId", b.p)),
                200, 200, 200, 404, 200, 404, 403, 403));
        rows.add(new Row(put("PUT subscription (existing)", b -> "/v1/subscriptions/" + b.s,
                b -> body("name", b.s.toUpperCase(), "tenantId", b.t, "priceBookId", b.book)),
                200, 200, 200, 404, 200, 404, 403, 403));
        rows.add(new Row(put("PUT partner (new)", b -> "/v1/partners/new-" + FRESH.incrementAndGet(), b -> body("distributorId", b.d)),
                201, 201, 201, 422, 403, 403, 403, 403));
        rows.add(new Row(put("PUT tenant (new)", b -> "/v1/tenants/new-" + FRESH.incrementAndGet(), b -> body("partnerId", b.p)),
                201, 201, 201, 422, 201, 422, 403, 403));
        rows.add(new Row(put("PUT subscription (new)", b -> "/v1/subscriptions/new-" + FRESH.incrementAndGet(),
                b -> body("tenantId", b.t, "priceBookId", "pb-eur")),
                201, 201, 201, 422, 201, 422, 403, 403));
        rows.add(new Row(put("PUT distributor plan assignment", b -> "/v1/distributors/" + b.d + "/commission-plan", b -> body("planId", "gold")),
                200, 200, 403, 404, 404, 404, 404, 404));
        rows.add(new Row(put("PUT partner plan assignment", b -> "/v1/partners/" + b.p + "/commission-plan", b -> body("inherit", true)),
                200, 200, 200, 404, 200, 404, 404, 404));

        rows.add(new Row(get("GET usage distributor", b -> "/v1/usage/distributor/" + b.d + RANGE),   200, 200, 200, 404, 404, 404, 404, 404));
        rows.add(new Row(get("GET usage partner", b -> "/v1/usage/partner/" + b.p + RANGE),           200, 200, 200, 404, 200, 404, 404, 404));
        rows.add(new Row(get("GET usage tenant", b -> "/v1/usage/tenant/" + b.t + RANGE),             200, 200, 200, 404, 200, 404, 200, 404));
        rows.add(new Row(get("GET usage subscription", b -> "/v1/usage/subscription/" + b.s + RANGE), 200, 200, 200, 404, 200, 404, 200, 404));
        rows.add(new Row(get("GET commissions distributor", b -> "/v1/commissions/distributor/" + b.d + "?period=2026-10"),
                200, 200, 200, 404, 404, 404, 404, 404));
        rows.add(new Row(get("GET commissions partner", b -> "/v1/commissions/partner/" + b.p + "?period=2026-10"),
                200, 200, 200, 404, 200, 404, 404, 404));
        rows.add(new Row(get("GET statement", b -> "/v1/statements/" + b.t + "?period=2026-10"),     200, 200, 200, 404, 200, 404, 200, 404));

        rows.add(new Row(get("GET price book", b -> "/v1/price-books/" + b.book),                   200, 200, 200, 200, 200, 200, 200, 404));
        rows.add(new Row(put("PUT price book", b -> "/v1/price-books/" + b.book, b -> book(b.book.equals("pb-eur") ? "EUR" : "USD")),
                200, 200, 403, 403, 403, 403, 403, 403));
        rows.add(new Row(get("GET distributor's plan", b -> "/v1/commission-plans/" + b.dPlan),     200, 200, 200, 404, 404, 404, 404, 404));
        rows.add(new Row(get("GET partner's plan", b -> "/v1/commission-plans/" + b.pPlan),         200, 200, 200, 404, 200, 404, 404, 404));
        rows.add(new Row(get("GET platform plan", b -> "/v1/commission-plans/gold"),                200, 200, 200, 200, 200, 200, 404, 404));
        rows.add(new Row(put("PUT distributor's plan", b -> "/v1/commission-plans/" + b.dPlan,
                b -> body("owner", "DISTRIBUTOR", "ownerId", b.d, "partnerShare", flat("0.1"), "distributorShare", flat("0.1"))),
                200, 200, 200, 404, 404, 404, 403, 403));
        rows.add(new Row(put("PUT partner's plan", b -> "/v1/commission-plans/" + b.pPlan,
                b -> body("owner", "PARTNER", "ownerId", b.p, "partnerShare", flat("0.1"))),
                200, 200, 403, 404, 200, 404, 403, 403));
        rows.add(new Row(put("PUT platform plan", b -> "/v1/commission-plans/gold",
                b -> body("owner", "PLATFORM", "partnerShare", flat("0.1"), "distributorShare", flat("0.1"))),
                200, 200, 403, 403, 403, 403, 403, 403));
        rows.add(new Row(get("GET period", b -> "/v1/periods/2026-10"),                             200, 200, 200, 200, 200, 200, 200, 200));
        rows.add(new Row(get("GET me", b -> "/v1/me"),                                              200, 200, 200, 200, 200, 200, 200, 200));
        return rows;
    }

    @TestFactory
    List<DynamicTest> everyRoleAgainstEveryEndpointInsideAndOutside() {
        Caller[] callers = {ADMIN, D1, P1, T1};
        List<DynamicTest> tests = new ArrayList<>();
        for (Row row : matrix()) {
            for (int c = 0; c < callers.length; c++) {
                for (int side = 0; side < 2; side++) {
                    Caller caller = callers[c];
                    Branch branch = side == 0 ? IN : OUT;
                    int expected = row.expected()[c * 2 + side];
                    tests.add(DynamicTest.dynamicTest(row.endpoint().name() + " as " + caller.getName()
                            + (side == 0 ? " inside" : " outside") + " -> " + expected, () -> {
                        Response r = row.endpoint().call().apply(branch, caller);
                        assertThat(r.getStatus()).as(r.readEntity(String.class)).isEqualTo(expected);
                    }));
                }
            }
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> everyEndpointWithoutAValidTokenIs401() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Row row : matrix()) {
            for (Branch branch : List.of(IN, OUT)) {
                tests.add(DynamicTest.dynamicTest(row.endpoint().name() + " without token", () ->
                        assertThat(row.endpoint().call().apply(branch, null).getStatus()).isEqualTo(401)));
            }
        }
        return tests;
    }
}
