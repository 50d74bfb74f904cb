package cms.api.admin;

import cms.api.TestApi;
import cms.api.hierarchy.NodeKind;
import cms.avro.CommissionPlan;
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

@ExtendWith(DropwizardExtensionsSupport.class)
class CommissionPlanResourceTest {
    private static final TestApi API = new TestApi();
    static final ResourceExtension RESOURCES = API.resources;

    private static Map<String, Object> tier(Object upTo, Object rate) {
        Map<String, Object> t = new HashMap<>();
        t.put("upTo", upTo);
        t.put("rate", rate);
        return t;
    }

    private static Map<String, Object> share(String model, List<Map<String, Object>> tiers) {
        return Map.of("model", model, "tiers", tiers);
    }

    private static Map<String, Object> plan(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        m.put("effectiveFrom", "2026-02-01T00:00:00Z");
        m.put("partnerShare", share("FLAT", List.of(tier(null, "0.1"))));
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static void assertStatus(Response r, int status, String startsWith) {
        assertThat(r.getStatus()).isEqualTo(status);
        assertThat((String) json(r).get("message")).startsWith(startsWith);
    }

    @Test
    void platformDistributorAndPartnerWriteTheirOwnPlans() {
        Response platform = API.put("/v1/commission-plans/silver", ADMIN, plan("distributorShare",
                share("GRADUATED", List.of(tier("1000", "0.05"), tier(null, "0.08")))));
        assertThat(platform.getStatus()).isEqualTo(201);
        assertThat(json(platform)).containsEntry("owner", "PLATFORM").containsEntry("ownerId", null);

        Response distributor = API.put("/v1/commission-plans/d1-special", D1, plan());
        assertThat(distributor.getStatus()).isEqualTo(201);
        assertThat(json(distributor)).containsEntry("owner", "DISTRIBUTOR").containsEntry("ownerId", "d1");

        Response partner = API.put("/v1/commission-plans/p1-special", P1, plan());
        assertThat(partner.getStatus()).isEqualTo(201);
        CommissionPlan published = (CommissionPlan) API.publisher.published.get(API.publisher.published.size() - 1);
        assertThat(published.getOwnerId()).isEqualTo("p1");
        assertThat(published.getPartnerShare().getTiers().get(0).getRate()).isEqualByComparingTo("0.1");

        int count = API.publisher.published.size();
        assertThat(API.put("/v1/commission-plans/p1-special", P1, plan()).getStatus()).isEqualTo(200);
        assertThat(API.publisher.published).hasSize(count);
        assertThat(API.get("/v1/commission-plans/p1-special", D1).getStatus()).isEqualTo(200);
    }

    @Test
    void validationErrorsNameTheField() {
        assertStatus(API.put("/v1/commission-plans/v1", ADMIN, plan("partnerShare", share("FLAT", List.of(tier(null, "1.5"))))),
                422, "partnerShare.tiers[0].rate: must be within 0..1");
        assertStatus(API.put("/v1/commission-plans/v1", ADMIN, plan("partnerShare", share("FLAT", List.of(tier(null, "-0.1"))))),
                422, "partnerShare.tiers[0].rate: must be within 0..1");
        assertStatus(API.put("/v1/commission-plans/v1", ADMIN, plan("partnerShare",
                share("GRADUATED", List.of(tier("500", "0.1"), tier("100", "0.2"), tier(null, "0.3"))))),
                422, "partnerShare.tiers[1].upTo: tiers must ascend");
        assertStatus(API.put("/v1/commission-plans/v1", ADMIN, plan("partnerShare", share("FLAT", List.of(tier("5", "0.1"), tier(null, "0.1"))))),
                422, "partnerShare.tiers: FLAT has exactly one tier");
        Map<String, Object> noFrom = plan();
        noFrom.remove("effectiveFrom");
        assertStatus(API.put("/v1/commission-plans/v1", ADMIN, noFrom), 422, "effectiveFrom: is required");
        assertStatus(API.put("/v1/commission-plans/default", ADMIN, plan("owner", "DISTRIBUTOR", "ownerId", "d1")),
                422, "owner: the plan named default belongs to the PLATFORM");
        assertStatus(API.put("/v1/commission-plans/v1", ADMIN, plan("owner", "PARTNER", "ownerId", "nope")),
                422, "ownerId: partner 'nope' not found");
        assertStatus(API.put("/v1/commission-plans/v1", P1, plan("distributorShare", share("FLAT", List.of(tier(null, "0.1"))))),
                422, "distributorShare: a partner's plan sets only partnerShare");
        assertStatus(API.put("/v1/commission-plans/v1", ADMIN, plan("owner", "GALAXY")), 400, "owner:");
        assertStatus(API.put("/v1/commission-plans/d1-plan", ADMIN, plan("owner", "PLATFORM")), 422, "owner: a plan's owner is fixed");
        assertThat(API.model.plan("v1")).isEmpty();
    }

    @Test
    void permissions() {
        assertStatus(API.put("/v1/commission-plans/gold", D1, plan()), 403, "distributor may only write commission plans it owns");
        assertStatus(API.put("/v1/commission-plans/x", D1, plan("owner", "PLATFORM")), 403, "distributor may only");
        assertStatus(API.put("/v1/commission-plans/x", T1, plan()), 403, "tenant may not");
        // another distributor's plan is out of reach: exactly as missing
        assertStatus(API.put("/v1/commission-plans/d2-plan", D1, plan()), 404, "commission plan 'd2-plan' not found");
        assertStatus(API.get("/v1/commission-plans/d2-plan", D1), 404, "commission plan 'd2-plan' not found");
        assertStatus(API.get("/v1/commission-plans/nope", D1), 404, "commission plan 'nope' not found");
        assertStatus(API.get("/v1/commission-plans/gold", T1), 404, "commission plan 'gold' not found");
        assertThat(API.get("/v1/commission-plans/gold", null).getStatus()).isEqualTo(401);
    }

    @Test
    void assignment() {
        Map<String, Object> own = Map.of("planId", "p1-plan", "effectiveFrom", "2026-02-01T00:00:00Z");
        Response r = API.put("/v1/partners/p1/commission-plan", P1, own);
        assertThat(r.getStatus()).isEqualTo(200);
        assertThat(json(r)).containsEntry("commissionPlanId", "p1-plan");
        // setting it back to inherit, later
        Response inherit = API.put("/v1/partners/p1/commission-plan", D1,
                Map.of("inherit", true, "effectiveFrom", "2026-03-01T00:00:00Z"));
        assertThat(inherit.getStatus()).isEqualTo(200);
        assertThat(API.model.node(NodeKind.PARTNER, "p1").orElseThrow().versions())
                .extracting(v -> v.getCommissionPlanId()).containsExactly(null, "p1-plan", null);
        assertThat(API.put("/v1/partners/p2/commission-plan", D1,
                Map.of("planId", "d1-plan", "effectiveFrom", "2026-02-01T00:00:00Z")).getStatus()).isEqualTo(200);
        assertThat(API.put("/v1/distributors/d1/commission-plan", ADMIN,
                Map.of("planId", "gold", "effectiveFrom", "2026-02-01T00:00:00Z")).getStatus()).isEqualTo(200);

        assertStatus(API.put("/v1/distributors/d1/commission-plan", D1, own), 403, "distributor may not assign");
        assertStatus(API.put("/v1/partners/p2/commission-plan", D1, own), 422,
                "planId: commission plan 'p1-plan' belongs to partner 'p1' and cannot be assigned to partner 'p2'");
        assertStatus(API.put("/v1/partners/p1/commission-plan", P1,
                Map.of("planId", "d2-plan", "effectiveFrom", "2026-02-01T00:00:00Z")), 422, "planId: commission plan 'd2-plan' not found");
        assertStatus(API.put("/v1/partners/p1/commission-plan", P1, Map.of("effectiveFrom", "2026-02-01T00:00:00Z")),
                422, "planId: give either planId or");
        assertStatus(API.put("/v1/partners/p1/commission-plan", P1, Map.of("planId", "gold")), 422, "effectiveFrom: is required");
        assertStatus(API.put("/v1/partners/p3/commission-plan", D1, own), 404, "partner 'p3' not found");
        assertStatus(API.put("/v1/partners/p1/commission-plan", T1, own), 404, "partner 'p1' not found");
        assertThat(API.put("/v1/partners/p1/commission-plan", null, own).getStatus()).isEqualTo(401);
    }
}
