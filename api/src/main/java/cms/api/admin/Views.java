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
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Builds the typed views of reference data (README-API.md writes the JSON down) from the read
 * model; amounts are plain decimal strings, times ISO-8601.
 */
final class Views {
    /**
     * A node as this caller may see it. References to what lies outside the caller's subtree are
     * left out (the parent of the caller's own node, a plan it cannot read) and the audit field
     * recordedBy, which names the writer, is for platform-admin only: an answer never names
     * anything the caller could not GET.
     */
    static NodeView node(Node node, boolean withVersions, Scope scope, Caller caller) {
        List<NodeView.Version> versions = null;
        if (withVersions) {
            versions = new ArrayList<>();
            for (HierarchyChange v : node.versions()) {
                versions.add(version(node.kind(), v, scope, caller));
            }
        }
        return NodeView.of(node.kind().singular(), node.id(), version(node.kind(), node.current(), scope, caller), versions);
    }

    static ChildrenView children(Node parent, List<Node> children, Scope scope, Caller caller) {
        List<NodeView> items = new ArrayList<>();
        children.forEach(c -> items.add(node(c, false, scope, caller)));
        return new ChildrenView(parent.kind().singular(), parent.id(), items);
    }

    private static NodeView.Version version(NodeKind kind, HierarchyChange v, Scope scope, Caller caller) {
        String parentId = kind.parentField() != null && scope.sees(caller, kind.parent(), v.getParentId())
                ? v.getParentId() : null;
        Optional<String> planId = null; // absent: the kind has no plan, or the caller cannot read it
        if (kind == NodeKind.DISTRIBUTOR || kind == NodeKind.PARTNER) {
            if (v.getCommissionPlanId() == null) {
                planId = Optional.empty(); // inherits
            } else if (scope.seesPlan(caller, v.getCommissionPlanId())) {
                planId = Optional.of(v.getCommissionPlanId());
            }
        }
        return new NodeView.Version(v.getName(), v.getStatus().name(), time(v.getEffectiveFrom()),
                kind == NodeKind.PARTNER ? parentId : null,
                kind == NodeKind.TENANT ? parentId : null,
                kind == NodeKind.SUBSCRIPTION ? parentId : null,
                kind == NodeKind.SUBSCRIPTION ? v.getPriceBookId() : null,
                planId,
                new TreeMap<>(v.getAttributes()),
                time(v.getRecordedAt()),
                caller.isPlatformAdmin() ? v.getRecordedBy() : null);
    }

    static PriceBookView priceBook(PriceBook book) {
        List<PriceBookView.Version> versions = new ArrayList<>();
        book.versions().forEach(v -> versions.add(priceBookVersion(v)));
        return new PriceBookView(book.id(), book.currency(), priceBookVersion(book.current()), versions);
    }

    private static PriceBookView.Version priceBookVersion(PriceBookVersion v) {
        List<PriceBookView.RateView> rates = new ArrayList<>();
        for (Rate r : v.getRates()) {
            List<PriceBookView.TierView> tiers = new ArrayList<>();
            for (PriceTier t : r.getTiers()) {
                tiers.add(new PriceBookView.TierView(amount(t.getUpTo()), amount(t.getUnitPrice())));
            }
            rates.add(new PriceBookView.RateView(r.getMeterId(), r.getRegion(), r.getModel().name(),
                    amount(r.getIncludedQuantity()), tiers, r.getUnit()));
        }
        return new PriceBookView.Version(v.getName(), v.getCurrency(), time(v.getEffectiveFrom()), rates,
                time(v.getRecordedAt()));
    }

    static PlanView plan(Plan plan) {
        List<PlanView.Version> versions = new ArrayList<>();
        plan.versions().forEach(v -> versions.add(planVersion(v)));
        return new PlanView(plan.id(), plan.owner().name(), plan.ownerId(), planVersion(plan.current()), versions);
    }

    private static PlanView.Version planVersion(CommissionPlan v) {
        return new PlanView.Version(v.getName(), time(v.getEffectiveFrom()), share(v.getPartnerShare()),
                share(v.getDistributorShare()), time(v.getRecordedAt()));
    }

    private static PlanView.ShareView share(CommissionShare share) {
        if (share == null) {
            return null;
        }
        List<PlanView.TierView> tiers = new ArrayList<>();
        for (ShareTier t : share.getTiers()) {
            tiers.add(new PlanView.TierView(amount(t.getUpTo()), amount(t.getRate())));
        }
        return new PlanView.ShareView(share.getModel().name(), tiers);
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
