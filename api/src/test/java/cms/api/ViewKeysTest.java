package cms.api;

import cms.api.query.RollupKey;
import cms.api.query.RollupRow;
import cms.avro.NodeLevel;
import cms.rollup.Granularity;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.dropwizard.testing.junit5.ResourceExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static cms.api.TestApi.ADMIN;
import static cms.api.TestApi.P1;
import static cms.api.TestApi.T1;
import static cms.api.TestApi.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The typed views answer exactly the keys README-API.md documents, in its order: the conditional
 * ones (a parent the caller cannot see, recordedBy, priceBookId, versions in a children list,
 * null rather than absent for an inheriting plan) are the ones a record can get wrong.
 */
@SuppressWarnings("unchecked")
@ExtendWith(DropwizardExtensionsSupport.class)
class ViewKeysTest {
    private static final TestApi API = new TestApi();
    static final ResourceExtension RESOURCES = API.resources;

    static {
        Instant h0 = Instant.parse("2026-10-05T10:00:00Z");
        API.store.addRollup(new RollupKey(NodeLevel.TENANT, "t1", Granularity.HOUR, "2026-10"), new RollupRow(h0,
                h0.plusSeconds(3600), null, "storage.gb", "EUR", "OPEN", 2, BigDecimal.ONE, BigDecimal.TEN,
                BigDecimal.ONE, BigDecimal.ONE, 0, BigDecimal.ZERO, h0.plusSeconds(3602)));
    }

    @Test
    void nodeViewsKeepTheirKeysAndOrder() {
        assertThat(json(API.get("/v1/partners/p1", ADMIN)).keySet()).containsExactly("kind", "id", "name", "status",
                "effectiveFrom", "distributorId", "commissionPlanId", "attributes", "recordedAt", "recordedBy", "versions");
        // the partner's own parent is outside its subtree; recordedBy is for platform-admin
        Map<String, Object> own = json(API.get("/v1/partners/p1", P1));
        assertThat(own.keySet()).containsExactly("kind", "id", "name", "status", "effectiveFrom", "commissionPlanId",
                "attributes", "recordedAt", "versions");
        assertThat(own).containsEntry("commissionPlanId", null);
        assertThat(((List<Map<String, Object>>) own.get("versions")).get(0).keySet()).containsExactly("name", "status",
                "effectiveFrom", "commissionPlanId", "attributes", "recordedAt");
        assertThat(json(API.get("/v1/tenants/t1", P1)).keySet()).containsExactly("kind", "id", "name", "status",
                "effectiveFrom", "partnerId", "attributes", "recordedAt", "versions");
        assertThat(json(API.get("/v1/subscriptions/s1", T1)).keySet()).containsExactly("kind", "id", "name", "status",
                "effectiveFrom", "tenantId", "priceBookId", "attributes", "recordedAt", "versions");
        assertThat(json(API.get("/v1/distributors/d1", ADMIN)).keySet()).containsExactly("kind", "id", "name", "status",
                "effectiveFrom", "commissionPlanId", "attributes", "recordedAt", "recordedBy", "versions");
        Map<String, Object> children = json(API.get("/v1/partners/p1/children", P1));
        assertThat(children.keySet()).containsExactly("kind", "id", "children");
        assertThat(((List<Map<String, Object>>) children.get("children")).get(0)).doesNotContainKey("versions");
    }

    @Test
    void meAndPeriodKeepTheirKeys() {
        Map<String, Object> me = json(API.get("/v1/me", ADMIN));
        assertThat(me.keySet()).containsExactly("user", "role", "level", "org", "scope");
        assertThat(me).containsEntry("org", null).containsEntry("scope", Map.of("all", true));
        assertThat(json(API.get("/v1/me", P1))).containsEntry("scope", Map.of("all", false, "level", "PARTNER", "id", "p1"));
        assertThat(json(API.get("/v1/periods/2026-11", T1)).keySet()).containsExactly("period", "status", "watermark", "finalAt");
    }

    @Test
    void usageLeavesOutBreakdownsNotAskedFor() {
        Map<String, Object> usage = json(API.get("/v1/usage/tenant/t1?from=2026-10-05T00:00:00Z&to=2026-10-06T00:00:00Z&granularity=HOUR", T1));
        assertThat(usage.keySet()).containsExactly("level", "id", "granularity", "from", "to", "windows");
        assertThat((List<Object>) usage.get("windows")).hasSize(1);
        for (Map<String, Object> w : (List<Map<String, Object>>) usage.get("windows")) {
            assertThat(w.keySet()).containsExactly("start", "end", "status", "updatedAt", "eventCount", "amounts");
            assertThat(w).containsEntry("updatedAt", "2026-10-05T11:00:02Z");
        }
        Map<String, Object> meters = json(API.get("/v1/usage/tenant/t1?from=2026-10-05T00:00:00Z&to=2026-10-06T00:00:00Z"
                + "&granularity=HOUR&breakdown=meter", T1));
        assertThat(((List<Map<String, Object>>) ((List<Map<String, Object>>) meters.get("windows")).get(0).get("byMeter")).get(0).keySet())
                .containsExactly("meterId", "currency", "status", "updatedAt", "eventCount", "quantity", "amount",
                        "partnerCommission", "distributorCommission");
    }
}
