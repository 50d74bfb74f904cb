package cms.api.admin;

import cms.api.TestApi;
import cms.avro.HierarchyChange;
import cms.avro.NodeLevel;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.dropwizard.testing.junit5.ResourceExtension;
import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static cms.api.TestApi.ADMIN;
import static cms.api.TestApi.D1;
import static cms.api.TestApi.P1;
import static cms.api.TestApi.T1;
import static cms.api.TestApi.json;
import static org.assertj.core.api.Assertions.assertThat;

@SuppressWarnings("unchecked")
@ExtendWith(DropwizardExtensionsSupport.class)
class NodeResourceTest {
    private static final TestApi API = new TestApi();
    static final ResourceExtension RESOURCES = API.resources;

    private static final String FROM = "2026-02-01T00:00:00Z";

    private static Map<String, Object> body(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        m.put("effectiveFrom", FROM);
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static void assertError(Response r, int status, String startsWith) {
        assertThat(r.getStatus()).isEqualTo(status);
        Map<String, Object> e = json(r);
        assertThat(e.get("code")).isEqualTo(status);
        assertThat((String) e.get("message")).startsWith(startsWith);
    }

    @Test
    void onboardsEachLevelAndAnswersTheSameRepeatedPutWithoutPublishingAgain() {
        Response d = API.put("/v1/distributors/nd1", ADMIN, body("name", "North"));
        assertThat(d.getStatus()).isEqualTo(201);
        Map<String, Object> dv = json(d);
        assertThat(dv).containsEntry("kind", "distributor").containsEntry("id", "nd1").containsEntry("name", "North")
                .containsEntry("status", "ACTIVE").containsEntry("effectiveFrom", FROM).containsEntry("commissionPlanId", null);

        assertThat(API.put("/v1/partners/np1", ADMIN, body("distributorId", "nd1")).getStatus()).isEqualTo(201);
        assertThat(API.put("/v1/tenants/nt1", ADMIN, body("partnerId", "np1")).getStatus()).isEqualTo(201);
        Response s = API.put("/v1/subscriptions/ns1", ADMIN, body("tenantId", "nt1", "priceBookId", "pb-eur"));
        assertThat(s.getStatus()).isEqualTo(201);
        assertThat(json(s)).containsEntry("tenantId", "nt1").containsEntry("priceBookId", "pb-eur");

        int published = API.publisher.published.size();
        Response again = API.put("/v1/subscriptions/ns1", ADMIN, body("tenantId", "nt1", "priceBookId", "pb-eur"));
        assertThat(again.getStatus()).isEqualTo(200);
        assertThat(API.publisher.published).hasSize(published);

        HierarchyChange last = (HierarchyChange) API.publisher.published.get(published - 1);
        assertThat(last.getLevel()).isEqualTo(NodeLevel.SUBSCRIPTION);
        assertThat(last.getParentId()).isEqualTo("nt1");
        assertThat(last.getRecordedBy()).isEqualTo("platform-admin");
    }

    @Test
    void aNewVersionIsAddedAndTheGetShowsEveryVersion() {
        API.put("/v1/tenants/vt1", P1, body("partnerId", "p1", "name", "Before"));
        Map<String, Object> later = body("partnerId", "p1", "name", "After", "status", "SUSPENDED");
        later.put("effectiveFrom", "2026-03-01T00:00:00Z");
        assertThat(API.put("/v1/tenants/vt1", P1, later).getStatus()).isEqualTo(200);
        Map<String, Object> view = json(API.get("/v1/tenants/vt1", P1));
        assertThat(view).containsEntry("name", "After").containsEntry("status", "SUSPENDED");
        assertThat((List<?>) view.get("versions")).hasSize(2);
    }

    @Test
    void delegatedAdministrationByDistributorAndPartner() {
        assertThat(API.put("/v1/partners/dp1", D1, body("distributorId", "d1")).getStatus()).isEqualTo(201);
        assertThat(API.put("/v1/tenants/dt1", D1, body("partnerId", "dp1")).getStatus()).isEqualTo(201);
        assertThat(API.put("/v1/tenants/pt1", P1, body("partnerId", "p1")).getStatus()).isEqualTo(201);
        assertThat(API.put("/v1/subscriptions/ps1", P1, body("tenantId", "pt1", "priceBookId", "pb-eur")).getStatus())
                .isEqualTo(201);
    }

    @Test
    void getAndChildren() {
        Map<String, Object> p1 = json(API.get("/v1/partners/p1", D1));
        assertThat(p1).containsEntry("id", "p1").containsEntry("distributorId", "d1");
        Response children = API.get("/v1/partners/p1/children", P1);
        assertThat(children.getStatus()).isEqualTo(200);
        List<Map<String, Object>> items = (List<Map<String, Object>>) json(children).get("children");
        assertThat(items).extracting(m -> m.get("id")).contains("t1", "t2").doesNotContain("t3", "t4");
        assertThat(json(API.get("/v1/subscriptions/s1/children", T1)).get("children")).isEqualTo(List.of());
    }

    @Test
    void validationErrorsNameTheField() {
        assertError(API.put("/v1/partners/Bad_Id", ADMIN, body("distributorId", "d1")), 400, "id:");
        Map<String, Object> noFrom = body("distributorId", "d1");
        noFrom.remove("effectiveFrom");
        assertError(API.put("/v1/partners/vp1", ADMIN, noFrom), 422, "effectiveFrom:");
        assertError(API.put("/v1/partners/vp1", ADMIN, body()), 422, "distributorId: is required");
        assertError(API.put("/v1/partners/vp1", ADMIN, body("distributorId", "NOT VALID")), 422, "distributorId: must match");
        assertError(API.put("/v1/partners/vp1", ADMIN, body("distributorId", "nope")), 422, "distributorId: distributor 'nope' not found");
        assertError(API.put("/v1/tenants/vt2", ADMIN, body("partnerId", "nope")), 422, "partnerId:");
        assertError(API.put("/v1/subscriptions/vs1", ADMIN, body("tenantId", "nope", "priceBookId", "pb-eur")), 422, "tenantId:");
        assertError(API.put("/v1/subscriptions/vs1", ADMIN, body("tenantId", "t1")), 422, "priceBookId: is required");
        assertError(API.put("/v1/subscriptions/vs1", ADMIN, body("tenantId", "t1", "priceBookId", "nope")), 422,
                "priceBookId: price book 'nope' not found");
        assertError(API.put("/v1/subscriptions/s1", ADMIN, body("tenantId", "t2", "priceBookId", "pb-eur")), 422,
                "tenantId: a subscription's tenant is fixed");
        assertError(API.put("/v1/partners/vp1", ADMIN, body("distributorId", "d1", "status", "NAPPING")), 400, "status:");
        assertError(API.put("/v1/partners/vp1", ADMIN, body("distributorId", "d1", "colour", "red")), 400, "colour: unknown field");
        assertError(API.put("/v1/partners/vp1", ADMIN, body("distributorId", "d1", "effectiveFrom", "yesterday")), 400,
                "effectiveFrom:");
        assertError(API.putRaw("/v1/partners/vp1", ADMIN, "{\"distributorId\": "), 400, "");
        assertError(API.put("/v1/partners/vp1", ADMIN, body("distributorId", "d1", "name", " ")), 422, "name:");
        assertError(API.put("/v1/partners/vp1", ADMIN, body("distributorId", "d1", "effectiveFrom", "2025-12-31T00:00:00Z")), 422,
                "effectiveFrom: distributor 'd1' exists only from 2026-01-01T00:00:00Z");
        assertThat(API.model.node(cms.api.hierarchy.NodeKind.PARTNER, "vp1")).isEmpty();
    }

    @Test
    void aParentOutsideTheSubtreeIsRefusedExactlyLikeAnUnknownOne() {
        Response outside = API.put("/v1/tenants/ot1", P1, body("partnerId", "p2"));
        Response unknown = API.put("/v1/tenants/ot1", P1, body("partnerId", "zz"));
        assertThat(outside.getStatus()).isEqualTo(422).isEqualTo(unknown.getStatus());
        assertThat(json(outside).get("message")).isEqualTo("partnerId: partner 'p2' not found");
        assertThat(json(unknown).get("message")).isEqualTo("partnerId: partner 'zz' not found");
    }

    @Test
    void missingOrBadTokenIs401() {
        assertThat(API.get("/v1/partners/p1", null).getStatus()).isEqualTo(401);
        assertThat(API.request("/v1/partners/p1", null).header("Authorization", "Bearer not.a.token").get().getStatus())
                .isEqualTo(401);
        String forged = new cms.api.auth.JwtTokens("another-key-another-key-another-key-42", "cms", java.time.Duration.ZERO, java.time.Duration.ofHours(1))
                .mint(ADMIN, java.time.Duration.ofMinutes(5));
        assertThat(API.request("/v1/partners/p1", null).header("Authorization", "Bearer " + forged).get().getStatus())
                .isEqualTo(401);
        assertThat(API.put("/v1/partners/x1", null, body("distributorId", "d1")).getStatus()).isEqualTo(401);
    }

    @Test
    void outsideTheSubtreeIs404ExactlyAsMissing() {
        Response outside = API.get("/v1/tenants/t4", P1);
        Response missing = API.get("/v1/tenants/t404", P1);
        assertThat(outside.getStatus()).isEqualTo(404).isEqualTo(missing.getStatus());
        assertThat(json(outside).get("message")).isEqualTo("tenant 't4' not found");
        assertThat(json(missing).get("message")).isEqualTo("tenant 't404' not found");
        assertThat(API.get("/v1/tenants/t4/children", P1).getStatus()).isEqualTo(404);
        // a write to a node of another subtree changes nothing
        int published = API.publisher.published.size();
        assertThat(API.put("/v1/tenants/t4", D1, body("partnerId", "p1")).getStatus()).isEqualTo(404);
        assertThat(API.publisher.published).hasSize(published);
        assertThat(API.model.node(cms.api.hierarchy.NodeKind.TENANT, "t4").orElseThrow().parentId()).isEqualTo("p3");
    }

    @Test
    void rolesThatMayNeverWriteAKindGet403() {
        assertError(API.put("/v1/distributors/x", D1, body()), 403, "distributor may not");
        assertError(API.put("/v1/partners/x", P1, body("distributorId", "d1")), 403, "partner may not");
        assertError(API.put("/v1/subscriptions/x", T1, body("tenantId", "t1", "priceBookId", "pb-eur")), 403, "tenant may not");
    }
}
