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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * GET /v1/usage/{level}/{id}: the node's windows in a time range with event count, amount and
 * commission per currency, optionally broken down by meter and/or by child. One Cassandra
 * partition per month (HOUR, DAY) or per year (MONTH) of the range.
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
    public Map<String, Object> usage(@Auth Caller caller, @PathParam("level") String level, @PathParam("id") String id,
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

        List<Map<String, Object>> windows = new ArrayList<>();
        for (Map.Entry<Instant, List<RollupRow>> w : byWindow.entrySet()) {
            List<RollupRow> rows = w.getValue();
            Map<String, Object> window = new LinkedHashMap<>();
            window.put("start", w.getKey().toString());
            window.put("end", rows.get(0).windowEnd() == null ? null : rows.get(0).windowEnd().toString());
            window.put("status", rows.stream().allMatch(RollupRow::isFinal) ? "FINAL" : "OPEN");
            window.put("eventCount", rows.stream().mapToLong(RollupRow::eventCount).sum());
            window.put("amounts", perCurrency(rows));
            if (breakdown.contains("meter")) {
                List<Map<String, Object>> meters = new ArrayList<>();
                for (RollupRow r : rows) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("meterId", r.meterId());
                    m.put("currency", r.currency());
                    m.put("status", r.status());
                    m.put("eventCount", r.eventCount());
                    m.put("quantity", Money.text(r.quantity()));
                    m.put("amount", Money.text(r.amount()));
                    m.put("partnerCommission", Money.text(r.partnerCommission()));
                    m.put("distributorCommission", Money.text(r.distributorCommission()));
                    meters.add(m);
                }
                window.put("byMeter", meters);
            }
            if (breakdown.contains("child")) {
                window.put("byChild", byChild(childRows.getOrDefault(w.getKey(), List.of())));
            }
            windows.add(window);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("level", kind.singular());
        out.put("id", id);
        out.put("granularity", granularity.name());
        out.put("from", from.toString());
        out.put("to", to.toString());
        out.put("windows", windows);
        return out;
    }

    /** Sums of the window's rows per currency (meters added together: money adds, quantities of different meters do not). */
    private static List<Map<String, Object>> perCurrency(List<RollupRow> rows) {
        Map<String, Sum> sums = new TreeMap<>();
        rows.forEach(r -> sums.computeIfAbsent(r.currency(), c -> new Sum()).add(r));
        List<Map<String, Object>> out = new ArrayList<>();
        sums.forEach((currency, s) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("currency", currency);
            m.put("eventCount", s.events);
            m.put("amount", Money.text(s.amount));
            m.put("partnerCommission", Money.text(s.partner));
            m.put("distributorCommission", Money.text(s.distributor));
            m.put("adjustmentCount", s.adjustments);
            m.put("adjustmentAmount", Money.text(s.adjustmentAmount));
            out.add(m);
        });
        return out;
    }

    private static List<Map<String, Object>> byChild(List<RollupRow> rows) {
        Map<String, Map<String, Sum>> sums = new TreeMap<>();
        rows.forEach(r -> sums.computeIfAbsent(r.childId(), c -> new TreeMap<>())
                .computeIfAbsent(r.currency(), c -> new Sum()).add(r));
        List<Map<String, Object>> out = new ArrayList<>();
        sums.forEach((child, perCurrency) -> perCurrency.forEach((currency, s) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("childId", child);
            m.put("currency", currency);
            m.put("eventCount", s.events);
            m.put("amount", Money.text(s.amount));
            m.put("partnerCommission", Money.text(s.partner));
            m.put("distributorCommission", Money.text(s.distributor));
            out.add(m);
        }));
        return out;
    }

    /** The longest range one query may cover, so it reads a bounded number of partitions (at most 3, 25, 11). */
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

        void add(RollupRow r) {
            events += r.eventCount();
            adjustments += r.adjustmentCount();
            amount = amount.add(r.amount());
            partner = partner.add(r.partnerCommission());
            distributor = distributor.add(r.distributorCommission());
            adjustmentAmount = adjustmentAmount.add(r.adjustmentAmount());
        }
    }
}
