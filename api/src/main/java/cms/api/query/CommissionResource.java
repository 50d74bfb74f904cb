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
import java.time.Instant;
import cms.rollup.BillingPeriod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * GET /v1/commissions/{level}/{id}?period=YYYY-MM: a partner's or distributor's commission for a
 * billing period, in total and per child, per currency, with the period's status. Reads the
 * node's MONTH window (one partition) and its by-child breakdown (one partition).
 */
@Path("/v1/commissions")
@Produces(MediaType.APPLICATION_JSON)
public final class CommissionResource {
    private final Scope scope;
    private final RollupStore store;

    public CommissionResource(Scope scope, RollupStore store) {
        this.scope = scope;
        this.store = store;
    }

    @GET
    @Timed
    @Path("{level}/{id}")
    public CommissionView commission(@Auth Caller caller, @PathParam("level") String level, @PathParam("id") String id,
                                          @QueryParam("period") String periodParam) {
        NodeKind kind = QueryParams.level(level);
        if (kind != NodeKind.PARTNER && kind != NodeKind.DISTRIBUTOR) {
            throw ApiErrors.badRequest("level", "commission is earned by partners and distributors, not " + kind.plural());
        }
        scope.node(caller, kind, id);
        BillingPeriod period = Periods.parse(periodParam, "period");
        Function<RollupRow, BigDecimal> earned = kind == NodeKind.PARTNER
                ? RollupRow::partnerCommission : RollupRow::distributorCommission;

        RollupKey key = Periods.monthKey(kind.level(), id, period);
        Instant from = period.start();
        Instant to = period.end();
        List<RollupRow> rows = store.rollups(key, from, to);
        List<RollupRow> children = store.rollupsByChild(key, from, to);
        boolean periodFinal = store.period(period.toString()).map(PeriodRow::isFinal).orElse(false);
        boolean allFinal = rows.stream().allMatch(RollupRow::isFinal) && children.stream().allMatch(RollupRow::isFinal);

        Map<String, BigDecimal[]> totals = new TreeMap<>();
        rows.forEach(r -> add(totals.computeIfAbsent(r.currency(), c -> zeros()), r.amount(), earned.apply(r)));
        Map<String, Map<String, BigDecimal[]>> perChild = new TreeMap<>();
        children.forEach(r -> add(perChild.computeIfAbsent(r.childId(), c -> new TreeMap<>())
                .computeIfAbsent(r.currency(), c -> zeros()), r.amount(), earned.apply(r)));

        List<CommissionView.Total> totalList = new ArrayList<>();
        totals.forEach((currency, s) -> totalList.add(new CommissionView.Total(currency, Money.text(s[0]), Money.text(s[1]))));
        List<CommissionView.Child> childList = new ArrayList<>();
        perChild.forEach((child, m) -> m.forEach((currency, s) ->
                childList.add(new CommissionView.Child(child, currency, Money.text(s[0]), Money.text(s[1])))));
        List<RollupRow> read = new ArrayList<>(rows);
        read.addAll(children);
        return new CommissionView(kind.singular(), id, period.toString(), periodFinal && allFinal ? "FINAL" : "OPEN",
                RollupRow.latestUpdate(read), totalList, childList);
    }

    private static BigDecimal[] zeros() {
        return new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO};
    }

    private static void add(BigDecimal[] sums, BigDecimal amount, BigDecimal commission) {
        sums[0] = sums[0].add(amount);
        sums[1] = sums[1].add(commission);
    }
}
