package cms.api.admin;

import cms.api.auth.Caller;
import cms.api.hierarchy.Node;
import cms.api.hierarchy.Scope;
import cms.api.hierarchy.NodeKind;
import cms.api.hierarchy.Plan;
import cms.api.hierarchy.PriceBook;
import cms.avro.CommissionPlan;
import cms.avro.CommissionShare;
import cms.avro.HierarchyChange;
import cms.avro.PriceBookVersion;
import cms.avro.PriceTier;
import cms.avro.Rate;
import cms.avro.ShareTier;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON shapes of reference data (README-API.md writes them down). Maps rather than classes
 * because which keys appear depends on the kind; amounts are plain decimal strings, times ISO-8601.
 */
final class Views {
    /**
     * A node as this caller may see it. References to what lies outside the caller's subtree are
     * left out (the parent of the caller's own node, a plan it cannot read) and the audit field
     * recordedBy, which names the writer, is for platform-admin only: an answer never names
     * anything the caller could not GET.
     */
    static Map<String, Object> node(Node node, boolean withVersions, Scope scope, Caller caller) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("kind", node.kind().singular());
        out.put("id", node.id());
        out.putAll(version(node.kind(), node.current(), scope, caller));
        if (withVersions) {
            List<Map<String, Object>> versions = new ArrayList<>();
            node.versions().forEach(v -> versions.add(version(node.kind(), v, scope, caller)));
            out.put("versions", versions);
        }
        return out;
    }

    static Map<String, Object> children(Node parent, List<Node> children, Scope scope, Caller caller) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("kind", parent.kind().singular());
        out.put("id", parent.id());
        List<Map<String, Object>> items = new ArrayList<>();
        children.forEach(c -> items.add(node(c, false, scope, caller)));
        out.put("children", items);
        return out;
    }

    private static Map<String, Object> version(NodeKind kind, HierarchyChange v, Scope scope, Caller caller) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", v.getName());
        out.put("status", v.getStatus().name());
        out.put("effectiveFrom", time(v.getEffectiveFrom()));
        if (kind.parentField() != null && scope.sees(caller, kind.parent(), v.getParentId())) {
            out.put(kind.parentField(), v.getParentId());
        }
        if (kind == NodeKind.SUBSCRIPTION) {
            out.put("priceBookId", v.getPriceBookId());
        }
        if (kind == NodeKind.DISTRIBUTOR || kind == NodeKind.PARTNER) {
            if (v.getCommissionPlanId() == null) {
                out.put("commissionPlanId", null); // inherits
            } else if (scope.seesPlan(caller, v.getCommissionPlanId())) {
                out.put("commissionPlanId", v.getCommissionPlanId());
            }
        }
        out.put("attributes", new TreeMap<>(v.getAttributes()));
        out.put("recordedAt", time(v.getRecordedAt()));
        if (caller.isPlatformAdmin()) {
            out.put("recordedBy", v.getRecordedBy());
        }
        return out;
    }

    static Map<String, Object> priceBook(PriceBook book) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", book.id());
        out.put("currency", book.currency());
        out.put("current", priceBookVersion(book.current()));
        List<Map<String, Object>> versions = new ArrayList<>();
        book.versions().forEach(v -> versions.add(priceBookVersion(v)));
        out.put("versions", versions);
        return out;
    }

    private static Map<String, Object> priceBookVersion(PriceBookVersion v) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", v.getName());
        out.put("currency", v.getCurrency());
        out.put("effectiveFrom", time(v.getEffectiveFrom()));
        List<Map<String, Object>> rates = new ArrayList<>();
        for (Rate r : v.getRates()) {
            Map<String, Object> rate = new LinkedHashMap<>();
            rate.put("meterId", r.getMeterId());
            rate.put("region", r.getRegion());
            rate.put("model", r.getModel().name());
            rate.put("includedQuantity", amount(r.getIncludedQuantity()));
            List<Map<String, Object>> tiers = new ArrayList<>();
            for (PriceTier t : r.getTiers()) {
                Map<String, Object> tier = new LinkedHashMap<>();
                tier.put("upTo", amount(t.getUpTo()));
                tier.put("unitPrice", amount(t.getUnitPrice()));
                tiers.add(tier);
            }
            rate.put("tiers", tiers);
            rate.put("unit", r.getUnit());
            rates.add(rate);
        }
        out.put("rates", rates);
        out.put("recordedAt", time(v.getRecordedAt()));
        return out;
    }

    static Map<String, Object> plan(Plan plan) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", plan.id());
        out.put("owner", plan.owner().name());
        out.put("ownerId", plan.ownerId());
        out.put("current", planVersion(plan.current()));
        List<Map<String, Object>> versions = new ArrayList<>();
        plan.versions().forEach(v -> versions.add(planVersion(v)));
        out.put("versions", versions);
        return out;
    }

    private static Map<String, Object> planVersion(CommissionPlan v) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", v.getName());
        out.put("effectiveFrom", time(v.getEffectiveFrom()));
        out.put("partnerShare", share(v.getPartnerShare()));
        out.put("distributorShare", share(v.getDistributorShare()));
        out.put("recordedAt", time(v.getRecordedAt()));
        return out;
    }

    private static Map<String, Object> share(CommissionShare share) {
        if (share == null) {
            return null;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", share.getModel().name());
        List<Map<String, Object>> tiers = new ArrayList<>();
        for (ShareTier t : share.getTiers()) {
            Map<String, Object> tier = new LinkedHashMap<>();
            tier.put("upTo", amount(t.getUpTo()));
            tier.put("rate", amount(t.getRate()));
            tiers.add(tier);
        }
        out.put("tiers", tiers);
        return out;
    }

    /** Decimal as a string without exponent, trailing zeros dropped (the Avro scale is storage, not meaning). */
    static String amount(BigDecimal value) {
        if (value == null) {
            return null;
        }
        BigDecimal stripped = value.stripTrailingZeros();
        return (stripped.scale() < 0 ? stripped.setScale(0) : stripped).toPlainString();
    }

    static String time(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private Views() {}
}
