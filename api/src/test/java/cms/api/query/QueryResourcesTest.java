package cms.api.query;

import cms.api.TestApi;
import cms.avro.NodeLevel;
import cms.rollup.Granularity;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.dropwizard.testing.junit5.ResourceExtension;
import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.math.BigDecimal;
import java.time.Instant;
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
class QueryResourcesTest {
    private static final TestApi API = new TestApi();
    static final ResourceExtension RESOURCES = API.resources;

    private static final Instant H0 = Instant.parse("2026-10-05T10:00:00Z");
    private static final Instant H1 = Instant.parse("2026-10-05T11:00:00Z");
    private static final Instant OCT = Instant.parse("2026-10-01T00:00:00Z");
    private static final Instant NOV = Instant.parse("2026-11-01T00:00:00Z");

    /** When the rows below were written, unless a row says otherwise: just after the last window's end. */
    private static final Instant WRITTEN = Instant.parse("2026-11-01T00:00:02.345Z");

    static RollupRow row(Instant start, Instant end, String child, String meter, String currency, String status,
                         long events, String amount, String partner, String distributor) {
        return row(start, end, child, meter, currency, status, events, amount, partner, distributor, WRITTEN);
    }

    static RollupRow row(Instant start, Instant end, String child, String meter, String currency, String status,
                         long events, String amount, String partner, String distributor, Instant updatedAt) {
        return new RollupRow(start, end, child, meter, currency, status, events, new BigDecimal("1.5"),
                new BigDecimal(amount), new BigDecimal(partner), new BigDecimal(distributor), 0, BigDecimal.ZERO, updatedAt);
    }

    // the rows of one window written at different times (another meter, another child): the window says the latest
    private static final Instant VCPU_WRITTEN = Instant.parse("2026-10-05T11:00:03.500Z");
    private static final Instant STORAGE_WRITTEN = Instant.parse("2026-10-05T11:00:01Z");

    static {
        RollupKey t1Hour = new RollupKey(NodeLevel.TENANT, "t1", Granularity.HOUR, "2026-10");
        API.store.addRollup(t1Hour, row(H0, H1, null, "compute.vcpu.hours", "EUR", "OPEN", 3, "1.123456789012345678", "0.1", "0.05",
                VCPU_WRITTEN));
        API.store.addRollup(t1Hour, row(H0, H1, null, "storage.gb", "EUR", "OPEN", 2, "2.000000000000000001", "0.2", "0.1",
                STORAGE_WRITTEN));
        API.store.addRollup(t1Hour, row(H1, H1.plusSeconds(3600), null, "storage.gb", "EUR", "FINAL", 1, "5", "0.5", "0.25"));
        API.store.addByChild(t1Hour, row(H0, H1, "s1", "compute.vcpu.hours", "EUR", "OPEN", 3, "1.123456789012345678", "0.1", "0.05",
                VCPU_WRITTEN));
        API.store.addByChild(t1Hour, row(H0, H1, "s1", "storage.gb", "EUR", "OPEN", 2, "2.000000000000000001", "0.2", "0.1",
                STORAGE_WRITTEN));
        // a child whose row was never stamped (written without updated_at): null, not a made-up time
        API.store.addByChild(t1Hour, row(H0, H1, "s1b", "storage.gb", "EUR", "OPEN", 1, "1", "0", "0", null));

        RollupKey p1Month = new RollupKey(NodeLevel.PARTNER, "p1", Granularity.MONTH, Granularity.MONTH.bucket(OCT.toEpochMilli()));
        API.store.addRollup(p1Month, row(OCT, NOV, null, "compute.vcpu.hours", "EUR", "FINAL", 10, "100.5", "10.05", "5.025"));
        API.store.addByChild(p1Month, row(OCT, NOV, "t1", "compute.vcpu.hours", "EUR", "FINAL", 6, "60.5", "6.05", "3.025"));
        // a child's row written last: the commission statement's updatedAt is the latest of every row it read
        API.store.addByChild(p1Month, row(OCT, NOV, "t2", "compute.vcpu.hours", "EUR", "FINAL", 4, "40", "4", "2",
                Instant.parse("2026-11-01T00:00:05Z")));

        RollupKey t1Month = new RollupKey(NodeLevel.TENANT, "t1", Granularity.MONTH, Granularity.MONTH.bucket(OCT.toEpochMilli()));
        // 0.125 and 0.135 round half-even to 0.12 and 0.14; 1.005 to 1.00
        API.store.addByChild(t1Month, row(OCT, NOV, "s1", "compute.vcpu.hours", "EUR", "FINAL", 1, "0.125", "0", "0"));
        API.store.addByChild(t1Month, row(OCT, NOV, "s1", "storage.gb", "EUR", "FINAL", 1, "0.135", "0", "0"));
        API.store.addByChild(t1Month, row(OCT, NOV, "s1b", "compute.vcpu.hours", "EUR", "FINAL", 1, "1.005", "0", "0"));
        API.store.addByChild(t1Month, row(OCT, NOV, "s1b", "compute.vcpu.hours", "JPY", "FINAL", 1, "1234.5", "0", "0"));
        API.store.putPeriod(new PeriodRow("2026-10", "FINAL", Instant.parse("2026-11-03T00:00:00Z"), Instant.parse("2026-11-03T00:00:01Z")));
        API.store.putPeriod(new PeriodRow("2026-11", "OPEN", Instant.parse("2026-11-20T00:00:00Z"), null));
    }

    private static void assertStatus(Response r, int status, String startsWith) {
        assertThat(r.getStatus()).isEqualTo(status);
        assertThat((String) json(r).get("message")).startsWith(startsWith);
    }

    @Test
    void usageWindowsWithBreakdowns() {
        Response r = API.get("/v1/usage/tenant/t1?from=2026-10-05T00:00:00Z&to=2026-10-06T00:00:00Z&granularity=HOUR&breakdown=meter,child", T1);
        assertThat(r.getStatus()).isEqualTo(200);
        Map<String, Object> body = json(r);
        List<Map<String, Object>> windows = (List<Map<String, Object>>) body.get("windows");
        assertThat(windows).hasSize(2);
        Map<String, Object> w0 = windows.get(0);
        assertThat(w0).containsEntry("start", "2026-10-05T10:00:00Z").containsEntry("end", "2026-10-05T11:00:00Z")
                .containsEntry("status", "OPEN").containsEntry("eventCount", 5);
        assertThat((List<Map<String, Object>>) w0.get("amounts")).singleElement().satisfies(a -> assertThat(a)
                .containsEntry("currency", "EUR").containsEntry("amount", "3.123456789012345679")
                .containsEntry("partnerCommission", "0.3").containsEntry("distributorCommission", "0.15"));
        assertThat((List<Map<String, Object>>) w0.get("byMeter")).extracting(m -> m.get("amount"))
                .containsExactly("1.123456789012345678", "2.000000000000000001");
        List<Map<String, Object>> byChild = (List<Map<String, Object>>) w0.get("byChild");
        assertThat(byChild).first().satisfies(c -> assertThat(c)
                .containsEntry("childId", "s1").containsEntry("amount", "3.123456789012345679"));
        assertThat(windows.get(1)).containsEntry("status", "FINAL");

        // updatedAt: the latest write of the window's rows, each breakdown entry its own rows' latest, ISO-8601 UTC
        assertThat(w0).containsEntry("updatedAt", "2026-10-05T11:00:03.500Z");
        assertThat((List<Map<String, Object>>) w0.get("byMeter")).extracting(m -> m.get("updatedAt"))
                .containsExactly("2026-10-05T11:00:03.500Z", "2026-10-05T11:00:01Z");
        assertThat(byChild).extracting(c -> c.get("childId") + " " + c.get("updatedAt"))
                .containsExactly("s1 2026-10-05T11:00:03.500Z", "s1b null");
        assertThat(windows.get(1)).containsEntry("updatedAt", WRITTEN.toString());
    }

    @Test
    void usageParameterErrorsNameTheParameter() {
        String base = "/v1/usage/tenant/t1?from=2026-10-05T00:00:00Z&to=2026-10-06T00:00:00Z";
        assertStatus(API.get(base, T1), 400, "granularity: is required");
        assertStatus(API.get(base + "&granularity=WEEK", T1), 400, "granularity: must be");
        assertStatus(API.get("/v1/usage/tenant/t1?to=2026-10-06T00:00:00Z&granularity=DAY", T1), 400, "from: is required");
        assertStatus(API.get("/v1/usage/tenant/t1?from=yesterday&to=2026-10-06T00:00:00Z&granularity=DAY", T1), 400, "from: must be ISO-8601");
        assertStatus(API.get("/v1/usage/tenant/t1?from=2026-10-06T00:00:00Z&to=2026-10-05T00:00:00Z&granularity=DAY", T1), 400, "to: must be after from");
        assertStatus(API.get("/v1/usage/tenant/t1?from=2026-01-01T00:00:00Z&to=2026-12-01T00:00:00Z&granularity=HOUR", T1), 400, "to: a HOUR query covers at most");
        assertStatus(API.get(base + "&granularity=DAY&breakdown=colour", T1), 400, "breakdown:");
        assertStatus(API.get("/v1/usage/subscription/s1?from=2026-10-05T00:00:00Z&to=2026-10-06T00:00:00Z&granularity=DAY&breakdown=child", T1),
                400, "breakdown: a subscription has no children");
        assertStatus(API.get("/v1/usage/planet/t1?from=2026-10-05T00:00:00Z&to=2026-10-06T00:00:00Z&granularity=DAY", T1), 400, "level:");
        assertStatus(API.get(base + "&granularity=DAY", new cms.api.auth.Caller("t2-admin", cms.api.auth.Role.TENANT, "t2", true)),
                404, "tenant 't1' not found");
        assertStatus(API.get("/v1/usage/tenant/nope?from=2026-10-05T00:00:00Z&to=2026-10-06T00:00:00Z&granularity=DAY", ADMIN), 404, "tenant 'nope' not found");
        assertThat(API.get(base + "&granularity=DAY", null).getStatus()).isEqualTo(401);
    }

    @Test
    void commissionPerChild() {
        Response r = API.get("/v1/commissions/partner/p1?period=2026-10", D1);
        assertThat(r.getStatus()).isEqualTo(200);
        Map<String, Object> body = json(r);
        assertThat(body).containsEntry("status", "FINAL").containsEntry("period", "2026-10")
                .containsEntry("updatedAt", "2026-11-01T00:00:05Z");
        assertThat((List<Map<String, Object>>) body.get("totals")).containsExactly(
                Map.of("currency", "EUR", "amount", "100.5", "commission", "10.05"));
        assertThat((List<Map<String, Object>>) body.get("children")).containsExactly(
                Map.of("childId", "t1", "currency", "EUR", "amount", "60.5", "commission", "6.05"),
                Map.of("childId", "t2", "currency", "EUR", "amount", "40", "commission", "4"));
        Map<String, Object> open = json(API.get("/v1/commissions/partner/p1?period=2026-11", P1));
        assertThat(open).containsEntry("status", "OPEN").containsEntry("totals", List.of()).containsEntry("updatedAt", null);

        assertStatus(API.get("/v1/commissions/tenant/t1?period=2026-10", ADMIN), 400, "level: commission is earned by partners and distributors");
        assertStatus(API.get("/v1/commissions/partner/p1?period=2026-13", ADMIN), 400, "period: must be YYYY-MM");
        assertStatus(API.get("/v1/commissions/partner/p1", ADMIN), 400, "period: is required");
        assertStatus(API.get("/v1/commissions/partner/p3?period=2026-10", D1), 404, "partner 'p3' not found");
        assertThat(API.get("/v1/commissions/partner/p1?period=2026-10", null).getStatus()).isEqualTo(401);
    }

    @Test
    void statementRoundsEachLineHalfEvenAndTotalsTheRoundedLines() {
        Response r = API.get("/v1/statements/t1?period=2026-10", T1);
        assertThat(r.getStatus()).isEqualTo(200);
        Map<String, Object> body = json(r);
        List<Map<String, Object>> lines = (List<Map<String, Object>>) body.get("lines");
        assertThat(lines).extracting(l -> l.get("subscriptionId") + "/" + l.get("meterId") + "/" + l.get("currency") + "=" + l.get("amount"))
                .containsExactly("s1/compute.vcpu.hours/EUR=0.12", "s1/storage.gb/EUR=0.14",
                        "s1b/compute.vcpu.hours/EUR=1.00", "s1b/compute.vcpu.hours/JPY=1234");
        assertThat(lines.get(0)).containsEntry("unroundedAmount", "0.125");
        assertThat(body).containsEntry("updatedAt", WRITTEN.toString());
        // 0.12 + 0.14 + 1.00 = 1.26, while the unrounded sum 1.265 would round to 1.26 too but by another road
        assertThat((List<Map<String, Object>>) body.get("totals")).containsExactly(
                Map.of("currency", "EUR", "amount", "1.26"), Map.of("currency", "JPY", "amount", "1234"));
    }

    @Test
    void statementErrors() {
        assertStatus(API.get("/v1/statements/t1?period=2026-11", T1), 409, "period 2026-11 is OPEN");
        assertStatus(API.get("/v1/statements/t1?period=2027-01", T1), 409, "period 2027-01 is OPEN");
        assertStatus(API.get("/v1/statements/t1?period=oct", T1), 400, "period: must be YYYY-MM");
        assertStatus(API.get("/v1/statements/t2?period=2026-10", T1), 404, "tenant 't2' not found");
        assertStatus(API.get("/v1/statements/t1?period=2026-10", new cms.api.auth.Caller("p2-admin", cms.api.auth.Role.PARTNER, "p2", true)), 404, "tenant 't1' not found");
        assertThat(API.get("/v1/statements/t1?period=2026-10", null).getStatus()).isEqualTo(401);
    }

    @Test
    void periods() {
        assertThat(json(API.get("/v1/periods/2026-10", T1))).containsEntry("status", "FINAL")
                .containsEntry("watermark", "2026-11-03T00:00:00Z").containsEntry("finalAt", "2026-11-03T00:00:01Z");
        assertThat(json(API.get("/v1/periods/2026-11", D1))).containsEntry("status", "OPEN").containsEntry("finalAt", null);
        assertThat(json(API.get("/v1/periods/2030-01", D1))).containsEntry("status", "OPEN").containsEntry("watermark", null);
        assertStatus(API.get("/v1/periods/2026-1", D1), 400, "period: must be YYYY-MM");
        assertThat(API.get("/v1/periods/2026-10", null).getStatus()).isEqualTo(401);
    }
}
