package cms.api.query;

import cms.api.auth.Caller;
import cms.api.errors.ApiErrors;
import cms.api.hierarchy.NodeKind;
import cms.api.hierarchy.Scope;
import com.codahale.metrics.annotation.Timed;
import io.dropwizard.auth.Auth;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.math.BigDecimal;
import cms.rollup.BillingPeriod;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * GET /v1/statements/{tenantId}?period=YYYY-MM: the tenant's final statement, a line per
 * subscription, meter and currency, each amount rounded half-even to the currency's minor unit,
 * totals the sums of the rounded lines (so the lines always add up to the total). 409 until the
 * period is FINAL. Reads the tenant's by-child MONTH window: one partition.
 */
@Path("/v1/statements")
@Produces(MediaType.APPLICATION_JSON)
public final class StatementResource {
    private final Scope scope;
    private final RollupStore store;

    public StatementResource(Scope scope, RollupStore store) {
        this.scope = scope;
        this.store = store;
    }

    @GET
    @Timed
    @Path("{tenantId}")
    public StatementView statement(@Auth Caller caller, @PathParam("tenantId") String tenantId,
                                         @QueryParam("period") String periodParam) {
        scope.node(caller, NodeKind.TENANT, tenantId);
        BillingPeriod period = Periods.parse(periodParam, "period");
        PeriodRow periodRow = store.period(period.toString()).orElse(null);
        if (periodRow == null || !periodRow.isFinal()) {
            throw ApiErrors.conflict("period " + period + " is OPEN; its statements are served once it is FINAL");
        }
        List<RollupRow> rows = new ArrayList<>(store.rollupsByChild(
                Periods.monthKey(NodeKind.TENANT.level(), tenantId, period), period.start(), period.end()));
        if (!rows.stream().allMatch(RollupRow::isFinal)) {
            // the period is closed but the pipeline has not finalised every window yet
            throw ApiErrors.conflict("period " + period + " is still being finalised for tenant '" + tenantId + "'; retry shortly");
        }
        rows.sort(Comparator.comparing(RollupRow::childId).thenComparing(RollupRow::meterId).thenComparing(RollupRow::currency));

        List<StatementView.Line> lines = new ArrayList<>();
        Map<String, BigDecimal> totals = new TreeMap<>();
        for (RollupRow r : rows) {
            BigDecimal rounded = Money.round(r.amount(), r.currency());
            totals.merge(r.currency(), rounded, BigDecimal::add);
            lines.add(new StatementView.Line(r.childId(), r.meterId(), r.currency(), r.eventCount(),
                    Money.text(r.quantity()), Money.text(rounded), Money.text(r.amount())));
        }
        List<StatementView.Total> totalList = new ArrayList<>();
        totals.forEach((currency, sum) -> totalList.add(new StatementView.Total(currency, Money.text(Money.round(sum, currency)))));
        return new StatementView(tenantId, period.toString(), "FINAL",
                periodRow.finalAt() == null ? null : periodRow.finalAt().toString(), RollupRow.latestUpdate(rows), lines, totalList);
    }
}
