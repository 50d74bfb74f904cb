package cms.api;

import cms.api.hierarchy.HierarchyModel;
import cms.avro.CommissionPlan;
import cms.avro.CommissionShare;
import cms.avro.HierarchyChange;
import cms.avro.NodeLevel;
import cms.avro.NodeStatus;
import cms.avro.PlanOwner;
import cms.avro.PriceBookVersion;
import cms.avro.UserRole;
import cms.avro.UserStatus;
import cms.avro.UserVersion;
import cms.avro.PriceTier;
import cms.avro.PricingModel;
import cms.avro.Rate;
import cms.avro.ShareModel;
import cms.avro.ShareTier;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Reference data for resource tests, put straight into a read model.
 *
 * <pre>
 *   d1 ── p1 ── t1 ── s1
 *    │     └─── t2 ── s2
 *    └─── p2 ── t3 ── s3
 *   d2 ── p3 ── t4 ── s4
 * </pre>
 * Price books pb-eur (EUR, used by s1..s3) and pb-usd (USD, used by s4); plans default and gold
 * (platform), d1-plan (d1), p1-plan (p1), d2-plan (d2), p3-plan (p3). Users: {@code admin} and
 * {@code viewer} of the platform, {@code <node>-admin} and {@code <node>-viewer} of every
 * distributor, partner and tenant, and {@code t1-disabled}, a DISABLED admin of t1.
 */
public final class Seed {
    public static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    public static void standard(HierarchyModel model) {
        model.apply(priceBook("pb-eur", "EUR"));
        model.apply(priceBook("pb-usd", "USD"));
        model.apply(node(NodeLevel.DISTRIBUTOR, "d1", null, null));
        model.apply(node(NodeLevel.DISTRIBUTOR, "d2", null, null));
        model.apply(node(NodeLevel.PARTNER, "p1", "d1", null));
        model.apply(node(NodeLevel.PARTNER, "p2", "d1", null));
        model.apply(node(NodeLevel.PARTNER, "p3", "d2", null));
        model.apply(node(NodeLevel.TENANT, "t1", "p1", null));
        model.apply(node(NodeLevel.TENANT, "t2", "p1", null));
        model.apply(node(NodeLevel.TENANT, "t3", "p2", null));
        model.apply(node(NodeLevel.TENANT, "t4", "p3", null));
        model.apply(node(NodeLevel.SUBSCRIPTION, "s1", "t1", "pb-eur"));
        model.apply(node(NodeLevel.SUBSCRIPTION, "s2", "t2", "pb-eur"));
        model.apply(node(NodeLevel.SUBSCRIPTION, "s3", "t3", "pb-eur"));
        model.apply(node(NodeLevel.SUBSCRIPTION, "s4", "t4", "pb-usd"));
        model.apply(plan("default", PlanOwner.PLATFORM, null));
        model.apply(plan("gold", PlanOwner.PLATFORM, null));
        model.apply(plan("d1-plan", PlanOwner.DISTRIBUTOR, "d1"));
        model.apply(plan("d2-plan", PlanOwner.DISTRIBUTOR, "d2"));
        model.apply(plan("p1-plan", PlanOwner.PARTNER, "p1"));
        model.apply(plan("p3-plan", PlanOwner.PARTNER, "p3"));
        model.apply(user("admin", null, null, UserRole.ADMIN, UserStatus.ACTIVE));
        model.apply(user("viewer", null, null, UserRole.VIEWER, UserStatus.ACTIVE));
        for (String d : List.of("d1", "d2")) {
            usersOf(model, NodeLevel.DISTRIBUTOR, d);
        }
        for (String p : List.of("p1", "p2", "p3")) {
            usersOf(model, NodeLevel.PARTNER, p);
        }
        for (String t : List.of("t1", "t2", "t3", "t4")) {
            usersOf(model, NodeLevel.TENANT, t);
        }
        model.apply(user("t1-disabled", NodeLevel.TENANT, "t1", UserRole.ADMIN, UserStatus.DISABLED));
    }

    /** An admin and a viewer of the node: {@code <id>-admin}, {@code <id>-viewer}. */
    public static void usersOf(HierarchyModel model, NodeLevel level, String id) {
        model.apply(user(id + "-admin", level, id, UserRole.ADMIN, UserStatus.ACTIVE));
        model.apply(user(id + "-viewer", level, id, UserRole.VIEWER, UserStatus.ACTIVE));
    }

    public static UserVersion user(String id, NodeLevel level, String orgId, UserRole role, UserStatus status) {
        return UserVersion.newBuilder()
                .setUserId(id).setLevel(level).setOrgId(orgId).setRole(role).setName(id).setEmail(null)
                .setStatus(status).setEffectiveFrom(T0).setRecordedAt(T0).setRecordedBy("seed").build();
    }

    public static HierarchyChange node(NodeLevel level, String id, String parentId, String priceBookId) {
        return HierarchyChange.newBuilder()
                .setLevel(level).setId(id).setParentId(parentId).setName(id.toUpperCase())
                .setStatus(NodeStatus.ACTIVE).setEffectiveFrom(T0).setPriceBookId(priceBookId)
                .setCommissionPlanId(null).setAttributes(Map.of())
                .setRecordedAt(T0).setRecordedBy("seed").build();
    }

    public static PriceBookVersion priceBook(String id, String currency) {
        return PriceBookVersion.newBuilder()
                .setPriceBookId(id).setName(id).setCurrency(currency).setEffectiveFrom(T0)
                .setRates(List.of(Rate.newBuilder().setMeterId("compute.vcpu.hours").setRegion(null)
                        .setModel(PricingModel.PER_UNIT).setIncludedQuantity(new BigDecimal("0.000000000"))
                        .setTiers(List.of(PriceTier.newBuilder().setUpTo(null)
                                .setUnitPrice(new BigDecimal("0.050000000000000000")).build()))
                        .setUnit("h").build()))
                .setRecordedAt(T0).setRecordedBy("seed").build();
    }

    public static CommissionPlan plan(String id, PlanOwner owner, String ownerId) {
        CommissionShare flat = CommissionShare.newBuilder().setModel(ShareModel.FLAT)
                .setTiers(List.of(ShareTier.newBuilder().setUpTo(null).setRate(new BigDecimal("0.100000000000000000")).build()))
                .build();
        return CommissionPlan.newBuilder()
                .setPlanId(id).setName(id).setOwner(owner).setOwnerId(ownerId).setEffectiveFrom(T0)
                .setPartnerShare(flat).setDistributorShare(owner == PlanOwner.PARTNER ? null : flat)
                .setRecordedAt(T0).setRecordedBy("seed").build();
    }

    private Seed() {}
}
