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
import static cms.api.TestApi.D1_VIEWER;
import static cms.api.TestApi.P1_VIEWER;
import static cms.api.TestApi.T1;
import static cms.api.TestApi.T1_DISABLED;
import static cms.api.TestApi.T1_VIEWER;
import static cms.api.TestApi.VIEWER;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every layer's admin and viewer against every endpoint, on a target inside its own branch of
 * {@link Seed} (d1, p1, t1, s1, pb-eur, d1-plan, p1-plan and their users) and one in the other
 * branch (d2, p3, t4, s4, pb-usd, d2-plan, p3-plan and theirs), with the status each cell must
 * answer; every endpoint without a token, and as a DISABLED user (401). For the platform both
 * branches are inside; for the others the other branch is outside, and so is anything above
 * their own node. A viewer reads what its layer's admin reads and writes nothing: every PUT is
 * 403, except where the node is looked up first (plan assignment), which stays 404 outside.
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

    /** One endpoint, aimed at a branch, called as a caller; {@code write}: a PUT; {@code nodeFirst}: its node is looked up before the role. */
    record Endpoint(String name, BiFunction<Branch, Caller, Response> call, boolean write, boolean nodeFirst) {}

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
        return new Endpoint(name, (b, c) -> API.get(path.apply(b), c), false, false);
    }

    private static Endpoint put(String name, java.util.function.Function<Branch, String> path,
                                java.util.function.Function<Branch, Object> body) {
        return new Endpoint(name, (b, c) -> API.put(path.apply(b), c, body.apply(b)), true, false);
    }

    private static Endpoint assignment(String name, java.util.function.Function<Branch, String> path,
                                       java.util.function.Function<Branch, Object> body) {
        return new Endpoint(name, (b, c) -> API.put(path.apply(b), c, body.apply(b)), true, true);
    }

    private static Map<String, Object> user(String level, String orgId, String role) {
        Map<String, Object> m = new HashMap<>();
        m.put("level", level);
        if (orgId != null) {
            m.put("orgId", orgId);
        }
        m.put("role", role);
        m.put("name", "someone");
        return m;
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
        // a tenant renames, labels and suspends its own subscriptions
        rows.add(new Row(put("PUT subscription (existing)", b -> "/v1/subscriptions/" + b.s,
                b -> body("name", b.s.toUpperCase(), "tenantId", b.t, "priceBookId", b.book)),
                200, 200, 200, 404, 200, 404, 200, 404));
        rows.add(new Row(put("PUT subscription (suspend, later)", b -> "/v1/subscriptions/" + b.s,
                b -> body("tenantId", b.t, "priceBookId", b.book, "status", "SUSPENDED", "effectiveFrom", "2031-01-01T00:00:00Z")),
                200, 200, 200, 404, 200, 404, 200, 404));
        // ... but never moves one to another price book or deletes it (versions far ahead: the seed stays current)
        rows.add(new Row(put("PUT subscription (other book, later)", b -> "/v1/subscriptions/" + b.s,
                b -> body("tenantId", b.t, "priceBookId", b.book.equals("pb-eur") ? "pb-usd" : "pb-eur",
                        "effectiveFrom", "2032-01-01T00:00:00Z")),
                200, 200, 200, 404, 200, 404, 403, 404));
        rows.add(new Row(put("PUT subscription (delete, later)", b -> "/v1/subscriptions/" + b.s,
                b -> body("tenantId", b.t, "priceBookId", b.book, "status", "DELETED", "effectiveFrom", "2033-01-01T00:00:00Z")),
                200, 200, 200, 404, 200, 404, 403, 404));
        rows.add(new Row(put("PUT partner (new)", b -> "/v1/partners/new-" + FRESH.incrementAndGet(), b -> body("distributorId", b.d)),
                201, 201, 201, 422, 403, 403, 403, 403));
        rows.add(new Row(put("PUT tenant (new)", b -> "/v1/tenants/new-" + FRESH.incrementAndGet(), b -> body("partnerId", b.p)),
                201, 201, 201, 422, 201, 422, 403, 403));
        rows.add(new Row(put("PUT subscription (new)", b -> "/v1/subscriptions/new-" + FRESH.incrementAndGet(),
                b -> body("tenantId", b.t, "priceBookId", "pb-eur")),
                201, 201, 201, 422, 201, 422, 403, 422));
        rows.add(new Row(assignment("PUT distributor plan assignment", b -> "/v1/distributors/" + b.d + "/commission-plan", b -> body("planId", "gold")),
                200, 200, 403, 404, 404, 404, 404, 404));
        rows.add(new Row(assignment("PUT partner plan assignment", b -> "/v1/partners/" + b.p + "/commission-plan", b -> body("inherit", true)),
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

        // users: read by whoever reaches the user's node, written by the admins of that node and above
        rows.add(new Row(get("GET distributor's user", b -> "/v1/users/" + b.d + "-admin"),         200, 200, 200, 404, 404, 404, 404, 404));
        rows.add(new Row(get("GET partner's user", b -> "/v1/users/" + b.p + "-viewer"),            200, 200, 200, 404, 200, 404, 404, 404));
        rows.add(new Row(get("GET tenant's user", b -> "/v1/users/" + b.t + "-viewer"),             200, 200, 200, 404, 200, 404, 200, 404));
        rows.add(new Row(get("GET platform user", b -> "/v1/users/viewer"),                         200, 200, 404, 404, 404, 404, 404, 404));
        rows.add(new Row(get("GET distributor users", b -> "/v1/distributors/" + b.d + "/users"),   200, 200, 200, 404, 404, 404, 404, 404));
        rows.add(new Row(get("GET partner users", b -> "/v1/partners/" + b.p + "/users"),           200, 200, 200, 404, 200, 404, 404, 404));
        rows.add(new Row(get("GET tenant users", b -> "/v1/tenants/" + b.t + "/users"),             200, 200, 200, 404, 200, 404, 200, 404));
        rows.add(new Row(get("GET platform users", b -> "/v1/platform/users"),                      200, 200, 404, 404, 404, 404, 404, 404));
        rows.add(new Row(put("PUT tenant's user (existing)", b -> "/v1/users/" + b.t + "-viewer", b -> user("tenant", b.t, "viewer")),
                200, 200, 200, 404, 200, 404, 200, 404));
        rows.add(new Row(put("PUT partner's user (existing)", b -> "/v1/users/" + b.p + "-viewer", b -> user("partner", b.p, "viewer")),
                200, 200, 200, 404, 200, 404, 404, 404));
        rows.add(new Row(put("PUT distributor's user (existing)", b -> "/v1/users/" + b.d + "-viewer", b -> user("distributor", b.d, "viewer")),
                200, 200, 200, 404, 404, 404, 404, 404));
        rows.add(new Row(put("PUT tenant's user (new)", b -> "/v1/users/new-" + FRESH.incrementAndGet(), b -> user("tenant", b.t, "admin")),
                201, 201, 201, 422, 201, 422, 201, 422));
        rows.add(new Row(put("PUT partner's user (new)", b -> "/v1/users/new-" + FRESH.incrementAndGet(), b -> user("partner", b.p, "admin")),
                201, 201, 201, 422, 201, 422, 422, 422));
        rows.add(new Row(put("PUT distributor's user (new)", b -> "/v1/users/new-" + FRESH.incrementAndGet(), b -> user("distributor", b.d, "admin")),
                201, 201, 201, 422, 422, 422, 422, 422));
        rows.add(new Row(put("PUT platform user (new)", b -> "/v1/users/new-" + FRESH.incrementAndGet(), b -> user("platform", null, "viewer")),
                201, 201, 403, 403, 403, 403, 403, 403));
        rows.add(new Row(put("PUT platform user (existing)", b -> "/v1/users/viewer", b -> user("platform", null, "viewer")),
                200, 200, 404, 404, 404, 404, 404, 404));
        // a user of t4 (fresh for every call) pulled into the branch's tenant: only whoever reaches t4 may move it
        rows.add(new Row(new Endpoint("PUT user moved from t4", (b, c) -> {
            String id = "spare-" + FRESH.incrementAndGet();
            API.model.apply(Seed.user(id, cms.avro.NodeLevel.TENANT, "t4", cms.avro.UserRole.VIEWER, cms.avro.UserStatus.ACTIVE));
            return API.put("/v1/users/" + id, c, user("tenant", b.t, "viewer"));
        }, true, false), 200, 200, 404, 404, 404, 404, 404, 404));

        // the audit trail of a node's subtree: whoever reaches the node
        rows.add(new Row(get("GET audit distributor", b -> "/v1/audit?node=distributor/" + b.d),   200, 200, 200, 404, 404, 404, 404, 404));
        rows.add(new Row(get("GET audit partner", b -> "/v1/audit?node=partner/" + b.p),           200, 200, 200, 404, 200, 404, 404, 404));
        rows.add(new Row(get("GET audit tenant", b -> "/v1/audit?node=tenant/" + b.t),             200, 200, 200, 404, 200, 404, 200, 404));
        rows.add(new Row(get("GET audit subscription", b -> "/v1/audit?node=subscription/" + b.s), 200, 200, 200, 404, 200, 404, 200, 404));
        rows.add(new Row(get("GET audit platform", b -> "/v1/audit?node=platform"),                200, 200, 404, 404, 404, 404, 404, 404));
        return rows;
    }

    /**
     * What a viewer of a layer must answer where that layer's admin answers {@code admin}: the same
     * for a read; for a write 403, or 404 where the node is looked up first and is out of reach.
     */
    private static int viewerExpects(Endpoint endpoint, int admin) {
        if (!endpoint.write()) {
            return admin;
        }
        return endpoint.nodeFirst() && admin == 404 ? 404 : 403;
    }

    @TestFactory
    List<DynamicTest> everyLayersAdminAndViewerAgainstEveryEndpointInsideAndOutside() {
        Caller[] admins = {ADMIN, D1, P1, T1};
        Caller[] viewers = {VIEWER, D1_VIEWER, P1_VIEWER, T1_VIEWER};
        List<DynamicTest> tests = new ArrayList<>();
        for (Row row : matrix()) {
            for (int c = 0; c < admins.length; c++) {
                for (int side = 0; side < 2; side++) {
                    for (boolean viewer : new boolean[] {false, true}) {
                        Caller caller = viewer ? viewers[c] : admins[c];
                        Branch branch = side == 0 ? IN : OUT;
                        int adminExpects = row.expected()[c * 2 + side];
                        int expected = viewer ? viewerExpects(row.endpoint(), adminExpects) : adminExpects;
                        tests.add(DynamicTest.dynamicTest(row.endpoint().name() + " as " + caller.getName()
                                + (side == 0 ? " inside" : " outside") + " -> " + expected, () -> {
                            Response r = row.endpoint().call().apply(branch, caller);
                            assertThat(r.getStatus()).as(r.readEntity(String.class)).isEqualTo(expected);
                        }));
                    }
                }
            }
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> everyEndpointAsADisabledUserIs401() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Row row : matrix()) {
            for (Branch branch : List.of(IN, OUT)) {
                tests.add(DynamicTest.dynamicTest(row.endpoint().name() + " as a disabled user", () ->
                        assertThat(row.endpoint().call().apply(branch, T1_DISABLED).getStatus()).isEqualTo(401)));
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
