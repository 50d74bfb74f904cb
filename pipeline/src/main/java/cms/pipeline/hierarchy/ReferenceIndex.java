package cms.pipeline.hierarchy;

import cms.avro.CommissionPlan;
import cms.avro.CommissionShare;
import cms.avro.HierarchyChange;
import cms.avro.NodeLevel;
import cms.avro.NodeStatus;
import cms.avro.PriceBookVersion;
import cms.pipeline.model.ReferenceUpdate;

import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * All effective-dated reference data, indexed for "as it stood at instant t" lookups. Rebuilt from
 * broadcast state after a restore and updated with each broadcast record; every parallel instance
 * holds the same content. Not thread-safe (one per operator instance).
 */
public final class ReferenceIndex {
    /** The plan every chain ends in. */
    public static final String DEFAULT_PLAN = "default";

    /**
     * Per level (NodeLevel ordinal), by id: a lookup takes the id as it is (parent ids are the stored records' own
     * strings, whose hash is computed once), where a "level/id" key was a new string to build and hash each time
     * (16% of the rating thread's samples).
     */
    @SuppressWarnings("unchecked")
    private final Map<String, NavigableMap<Long, HierarchyChange>>[] nodes = new Map[NodeLevel.values().length];

    {
        for (int i = 0; i < nodes.length; i++) {
            nodes[i] = new HashMap<>();
        }
    }

    private final Map<String, NavigableMap<Long, PriceBookVersion>> books = new HashMap<>();
    private final Map<String, NavigableMap<Long, CommissionPlan>> plans = new HashMap<>();

    public void add(ReferenceUpdate u) {
        if (u.hierarchy != null) {
            HierarchyChange c = u.hierarchy;
            NavigableMap<Long, HierarchyChange> versions = nodes[c.getLevel().ordinal()].computeIfAbsent(c.getId(), k -> new TreeMap<>());
            long from = c.getEffectiveFrom().toEpochMilli();
            HierarchyChange existing = versions.get(from);
            // two versions with one effectiveFrom: the one the API accepted last wins
            if (existing == null || !existing.getRecordedAt().isAfter(c.getRecordedAt())) {
                versions.put(from, c);
            }
        } else if (u.priceBook != null) {
            PriceBookVersion v = u.priceBook;
            NavigableMap<Long, PriceBookVersion> versions = books.computeIfAbsent(v.getPriceBookId(), k -> new TreeMap<>());
            long from = v.getEffectiveFrom().toEpochMilli();
            PriceBookVersion existing = versions.get(from);
            if (existing == null || !existing.getRecordedAt().isAfter(v.getRecordedAt())) {
                versions.put(from, v);
            }
        } else if (u.plan != null) {
            CommissionPlan p = u.plan;
            NavigableMap<Long, CommissionPlan> versions = plans.computeIfAbsent(p.getPlanId(), k -> new TreeMap<>());
            long from = p.getEffectiveFrom().toEpochMilli();
            CommissionPlan existing = versions.get(from);
            if (existing == null || !existing.getRecordedAt().isAfter(p.getRecordedAt())) {
                versions.put(from, p);
            }
        }
    }

    public HierarchyChange nodeAt(NodeLevel level, String id, long t) {
        return at(nodes[level.ordinal()].get(id), t);
    }

    public PriceBookVersion priceBookAt(String id, long t) {
        return at(books.get(id), t);
    }

    public CommissionPlan planAt(String id, long t) {
        return at(plans.get(id), t);
    }

    /** The subscription's place in the channel at {@code t}, or why there is none. */
    public Resolution resolve(String subscriptionId, long t) {
        HierarchyChange sub = nodeAt(NodeLevel.SUBSCRIPTION, subscriptionId, t);
        if (sub == null) {
            return Resolution.missing("subscription " + subscriptionId + " has no version effective at " + java.time.Instant.ofEpochMilli(t));
        }
        HierarchyChange tenant = parent(sub, NodeLevel.TENANT, t);
        HierarchyChange partner = tenant == null ? null : parent(tenant, NodeLevel.PARTNER, t);
        HierarchyChange distributor = partner == null ? null : parent(partner, NodeLevel.DISTRIBUTOR, t);
        if (tenant == null || partner == null || distributor == null) {
            String gap = tenant == null ? "tenant " + sub.getParentId()
                    : partner == null ? "partner " + tenant.getParentId() : "distributor " + partner.getParentId();
            return Resolution.missing("subscription " + subscriptionId + ": " + gap + " has no version effective at "
                    + java.time.Instant.ofEpochMilli(t));
        }
        for (HierarchyChange node : new HierarchyChange[] {sub, tenant, partner, distributor}) {
            if (node.getStatus() != NodeStatus.ACTIVE) {
                return Resolution.inactive(node.getLevel() + " " + node.getId() + " is " + node.getStatus() + " at "
                        + java.time.Instant.ofEpochMilli(t) + " (version effective from " + node.getEffectiveFrom() + ")");
            }
        }
        return Resolution.ok(sub, tenant, partner, distributor);
    }

    /** A beneficiary's share and the plan it came from, following the inheritance chain. */
    public record ResolvedShare(String planId, CommissionShare share) {}

    /** The partner's share: its own plan, else its distributor's, else default. Null when no plan in the chain gives one. */
    public ResolvedShare partnerShare(HierarchyChange partner, HierarchyChange distributor, long t) {
        for (String planId : new String[] {partner.getCommissionPlanId(), distributor.getCommissionPlanId(), DEFAULT_PLAN}) {
            CommissionPlan plan = planId == null ? null : planAt(planId, t);
            if (plan != null && plan.getPartnerShare() != null) {
                return new ResolvedShare(planId, plan.getPartnerShare());
            }
        }
        return null;
    }

    /** The distributor's share: its own plan, else default. */
    public ResolvedShare distributorShare(HierarchyChange distributor, long t) {
        for (String planId : new String[] {distributor.getCommissionPlanId(), DEFAULT_PLAN}) {
            CommissionPlan plan = planId == null ? null : planAt(planId, t);
            if (plan != null && plan.getDistributorShare() != null) {
                return new ResolvedShare(planId, plan.getDistributorShare());
            }
        }
        return null;
    }

    /** True when a plan this lineage names (or the default) has no version at {@code t} yet: reference data may lag. */
    public boolean plansMissing(Resolution r, long t) {
        for (String planId : new String[] {r.partner().getCommissionPlanId(), r.distributor().getCommissionPlanId(), DEFAULT_PLAN}) {
            if (planId != null && planAt(planId, t) == null) {
                return true;
            }
        }
        return false;
    }

    public int size() {
        int n = 0;
        for (Map<String, NavigableMap<Long, HierarchyChange>> level : nodes) {
            for (NavigableMap<Long, ?> m : level.values()) {
                n += m.size();
            }
        }
        for (NavigableMap<Long, ?> m : books.values()) {
            n += m.size();
        }
        for (NavigableMap<Long, ?> m : plans.values()) {
            n += m.size();
        }
        return n;
    }

    private HierarchyChange parent(HierarchyChange child, NodeLevel level, long t) {
        return child.getParentId() == null ? null : nodeAt(level, child.getParentId(), t);
    }

    private static <V> V at(NavigableMap<Long, V> versions, long t) {
        if (versions == null) {
            return null;
        }
        Map.Entry<Long, V> e = versions.floorEntry(t);
        return e == null ? null : e.getValue();
    }

    /** The outcome of resolving a lineage. */
    public record Resolution(Kind kind, String detail, HierarchyChange subscription, HierarchyChange tenant,
                             HierarchyChange partner, HierarchyChange distributor) {
        public enum Kind { OK, MISSING, INACTIVE }

        static Resolution ok(HierarchyChange s, HierarchyChange t, HierarchyChange p, HierarchyChange d) {
            return new Resolution(Kind.OK, null, s, t, p, d);
        }

        static Resolution missing(String detail) {
            return new Resolution(Kind.MISSING, detail, null, null, null, null);
        }

        static Resolution inactive(String detail) {
            return new Resolution(Kind.INACTIVE, detail, null, null, null, null);
        }
    }
}
