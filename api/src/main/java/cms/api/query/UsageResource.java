package cms.api.query;

import cms.rollup.Granularity;
import cms.api.auth.Caller;
import cms.api.errors.ApiErrors;
import cms.api.hierarchy.NodeKind;
import cms.api.hierarchy.Scope;
import cms.api.input.InputLimits;
import com.codahale.metrics.annotation.Timed;
import io.dropwizard.auth.Auth;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * GET /v1/usage/{level}/{id}: the node's windows in a time range with event count, amount and
 * commission per currency, optionally broken down by meter and/or by child. One Cassandra
 * partition per parent and month of the range (a DAY window without FINAL rows summed from HOUR rows of the
 * same partition: CassandraRollupStore).
 */
@Path("/v1/usage")
@Produces(MediaType.APPLICATION_JSON)
public final class UsageResource {
    private final Scope scope;
    private final RollupStore store;

    public UsageResource(Scope scope, RollupStore store) {
        this.scope = scope;
        this.store = store;
    }

    @GET
    @Timed
    @Path("{level}/{id}")
    public UsageView usage(@Auth Caller caller, @PathParam("level") String level, @PathParam("id") String id,
                                     @QueryParam("from") String fromParam, @QueryParam("to") String toParam,
                                     @QueryParam("granularity") String granularityParam,
                                     @QueryParam("breakdown") String breakdownParam) {
        NodeKind kind = QueryParams.level(level);
        scope.node(caller, kind, id);
        Granularity granularity = QueryParams.granularity(granularityParam);
        Instant from = QueryParams.instant(fromParam, "from");
        Instant to = QueryParams.instant(toParam, "to");
        if (!to.isAfter(from)) {
            throw ApiErrors.badRequest("to", "must be after from");
        }
        Duration maxRange = maxRange(granularity);
        if (Duration.between(from, to).compareTo(maxRange) > 0) {
            throw ApiErrors.badRequest("to", "a " + granularity + " query covers at most " + maxRange.toDays() + " days");
        }
        Set<String> breakdown = breakdown(breakdownParam, kind);

        Map<Instant, List<RollupRow>> byWindow = new TreeMap<>();
        Map<Instant, List<RollupRow>> childRows = new TreeMap<>();
        for (String bucket : granularity.buckets(from, to)) {
            RollupKey key = new RollupKey(kind.level(), id, granularity, bucket);
            for (RollupRow row : store.rollups(key, from, to)) {
                byWindow.computeIfAbsent(row.windowStart(), w -> new ArrayList<>()).add(row);
            }
            if (breakdown.contains("child")) {
                for (RollupRow row : store.rollupsByChild(key, from, to)) {
                    childRows.computeIfAbsent(row.windowStart(), w -> new ArrayList<>()).add(row);
                }
            }
        }

        List<UsageView.Window> windows = new ArrayList<>();
        for (Map.Entry<Instant, List<RollupRow>> w : byWindow.entrySet()) {
            List<RollupRow> rows = w.getValue();
            List<UsageView.MeterAmount> meters = null;
            if (breakdown.contains("meter")) {
                meters = new ArrayList<>();
                for (RollupRow r : rows) {
                    meters.add(new UsageView.MeterAmount(r.meterId(), r.currency(), r.status(), RollupRow.latestUpdate(List.of(r)),
                            r.eventCount(), Money.text(r.quantity()), Money.text(r.amount()), Money.text(r.partnerCommission()),
                            Money.text(r.distributorCommission())));
                }
            }
            List<UsageView.ChildAmount> children = breakdown.contains("child")
                    ? byChild(childRows.getOrDefault(w.getKey(), List.of())) : null;
            windows.add(new UsageView.Window(w.getKey().toString(),
                    rows.get(0).windowEnd() == null ? null : rows.get(0).windowEnd().toString(),
                    rows.stream().allMatch(RollupRow::isFinal) ? "FINAL" : "OPEN",
                    RollupRow.latestUpdate(rows),
                    rows.stream().mapToLong(RollupRow::eventCount).sum(),
                    perCurrency(rows), meters, children));
        }
        return new UsageView(kind.singular(), id, granularity.name(), from.toString(), to.toString(), windows);
    }

    /** Sums of the window's rows per currency (meters added together: money adds, quantities of different meters do not). */
    private static List<UsageView.CurrencyAmount> perCurrency(List<RollupRow> rows) {
        Map<String, Sum> sums = new TreeMap<>();
        rows.forEach(r -> sums.computeIfAbsent(r.currency(), c -> new Sum()).add(r));
        List<UsageView.CurrencyAmount> out = new ArrayList<>();
        sums.forEach((currency, s) -> out.add(new UsageView.CurrencyAmount(currency, s.events, Money.text(s.amount),
                Money.text(s.partner), Money.text(s.distributor), s.adjustments, Money.text(s.adjustmentAmount))));
        return out;
    }

    private static List<UsageView.ChildAmount> byChild(List<RollupRow> rows) {
        Map<String, Map<String, Sum>> sums = new TreeMap<>();
        rows.forEach(r -> sums.computeIfAbsent(r.childId(), c -> new TreeMap<>())
                .computeIfAbsent(r.currency(), c -> new Sum()).add(r));
        List<UsageView.ChildAmount> out = new ArrayList<>();
        sums.forEach((child, perCurrency) -> perCurrency.forEach((currency, s) -> out.add(new UsageView.ChildAmount(
                child, currency, s.events, Money.text(s.amount), Money.text(s.partner), Money.text(s.distributor),
                s.updatedAt == null ? null : s.updatedAt.toString()))));
        return out;
    }

    /** The longest range one query may cover, so it reads a bounded number of partitions (at most 3, 25, 121 months). */
    static Duration maxRange(Granularity granularity) {
        return switch (granularity) {
            case HOUR -> Duration.ofDays(62);
            case DAY -> Duration.ofDays(732);
            case MONTH -> Duration.ofDays(3660);
        };
    }

    private static Set<String> breakdown(String param, NodeKind kind) {
        Set<String> out = new TreeSet<>();
        if (param == null || param.isBlank()) {
            return out;
        }
        for (String part : param.split(",")) {
            String p = part.strip().toLowerCase(Locale.ROOT);
            if (!p.equals("meter") && !p.equals("child")) {
                throw ApiErrors.badRequest("breakdown", "must be meter, child or meter,child; was " + InputLimits.echo(param));
            }
            out.add(p);
        }
        if (out.contains("child") && kind == NodeKind.SUBSCRIPTION) {
            throw ApiErrors.badRequest("breakdown", "a subscription has no children");
        }
        return out;
    }

    static final class Sum {
        long events;
        long adjustments;
        BigDecimal amount = BigDecimal.ZERO;
        BigDecimal partner = BigDecimal.ZERO;
        BigDecimal distributor = BigDecimal.ZERO;
        BigDecimal adjustmentAmount = BigDecimal.ZERO;
        Instant updatedAt;

        void add(RollupRow r) {
            updatedAt = RollupRow.later(updatedAt, r.updatedAt());
            events += r.eventCount();
            adjustments += r.adjustmentCount();
            amount = amount.add(r.amount());
            partner = partner.add(r.partnerCommission());
            distributor = distributor.add(r.distributorCommission());
            adjustmentAmount = adjustmentAmount.add(r.adjustmentAmount());
        }
    }
}
