package cms.pipeline;

import cms.avro.CommissionPlan;
import cms.avro.CommissionShare;
import cms.avro.HierarchyChange;
import cms.avro.NodeLevel;
import cms.avro.NodeStatus;
import cms.avro.PlanOwner;
import cms.avro.PriceBookVersion;
import cms.avro.PriceTier;
import cms.avro.PricingModel;
import cms.avro.Rate;
import cms.avro.ShareModel;
import cms.avro.ShareTier;
import cms.avro.UsageEvent;
import cms.pipeline.model.RawRecord;
import cms.pipeline.model.ReferenceUpdate;
import cms.pipeline.model.ValidUsage;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builders of the Avro reference data and usage the tests feed the pipeline. */
public final class Fixtures {
    public static final Instant RECORDED = Instant.parse("2026-01-01T00:00:00Z");

    public static Instant at(String iso) {
        return Instant.parse(iso);
    }

    public static BigDecimal qty(String s) {
        return new BigDecimal(s).setScale(9);
    }

    public static BigDecimal money(String s) {
        return new BigDecimal(s).setScale(18);
    }

    public static HierarchyChange node(NodeLevel level, String id, String parent, String from) {
        return node(level, id, parent, from, NodeStatus.ACTIVE, null, null);
    }

    public static HierarchyChange node(NodeLevel level, String id, String parent, String from, NodeStatus status,
                                       String priceBook, String plan) {
        return HierarchyChange.newBuilder()
                .setLevel(level).setId(id).setParentId(parent).setStatus(status)
                .setEffectiveFrom(at(from)).setPriceBookId(priceBook).setCommissionPlanId(plan)
                .setRecordedAt(RECORDED).build();
    }

    public static HierarchyChange subscription(String id, String tenant, String from, String priceBook) {
        return node(NodeLevel.SUBSCRIPTION, id, tenant, from, NodeStatus.ACTIVE, priceBook, null);
    }

    /** Distributor d, partner p under it, tenant t under p, subscription s under t, all from 2026-01-01. */
    public static List<ReferenceUpdate> chain(String d, String p, String t, String s, String priceBook) {
        List<ReferenceUpdate> out = new ArrayList<>();
        out.add(ReferenceUpdate.of(node(NodeLevel.DISTRIBUTOR, d, null, "2026-01-01T00:00:00Z")));
        out.add(ReferenceUpdate.of(node(NodeLevel.PARTNER, p, d, "2026-01-01T00:00:00Z")));
        out.add(ReferenceUpdate.of(node(NodeLevel.TENANT, t, p, "2026-01-01T00:00:00Z")));
        out.add(ReferenceUpdate.of(subscription(s, t, "2026-01-01T00:00:00Z", priceBook)));
        return out;
    }

    public static PriceTier tier(String upTo, String unitPrice) {
        return PriceTier.newBuilder().setUpTo(upTo == null ? null : qty(upTo)).setUnitPrice(money(unitPrice)).build();
    }

    public static Rate rate(String meter, String region, PricingModel model, String included, PriceTier... tiers) {
        return Rate.newBuilder().setMeterId(meter).setRegion(region).setModel(model).setIncludedQuantity(qty(included))
                .setTiers(List.of(tiers)).build();
    }

    public static PriceBookVersion book(String id, String currency, String from, Rate... rates) {
        return PriceBookVersion.newBuilder().setPriceBookId(id).setCurrency(currency).setEffectiveFrom(at(from))
                .setRates(List.of(rates)).setRecordedAt(RECORDED).build();
    }

    public static ShareTier shareTier(String upTo, String rate) {
        return ShareTier.newBuilder().setUpTo(upTo == null ? null : money(upTo)).setRate(new BigDecimal(rate).setScale(18)).build();
    }

    public static CommissionShare flat(String rate) {
        return CommissionShare.newBuilder().setModel(ShareModel.FLAT).setTiers(List.of(shareTier(null, rate))).build();
    }

    public static CommissionShare graduated(ShareTier... tiers) {
        return CommissionShare.newBuilder().setModel(ShareModel.GRADUATED).setTiers(List.of(tiers)).build();
    }

    public static CommissionPlan plan(String id, PlanOwner owner, String ownerId, String from, CommissionShare partner,
                                      CommissionShare distributor) {
        return CommissionPlan.newBuilder().setPlanId(id).setOwner(owner).setOwnerId(ownerId).setEffectiveFrom(at(from))
                .setPartnerShare(partner).setDistributorShare(distributor).setRecordedAt(RECORDED).build();
    }

    public static UsageEvent usage(String eventId, String subscription, String meter, String quantity, String time) {
        return usage(eventId, subscription, meter, quantity, time, null);
    }

    public static UsageEvent usage(String eventId, String subscription, String meter, String quantity, String time, String region) {
        return UsageEvent.newBuilder().setEventId(eventId).setSubscriptionId(subscription).setMeterId(meter)
                .setQuantity(qty(quantity)).setEventTime(at(time)).setRegion(region).setAttributes(Map.of()).build();
    }

    private static long offset;

    public static ValidUsage valid(UsageEvent e) {
        return valid(e, e.getEventTime().toEpochMilli());
    }

    /** Usage that arrived (Kafka record timestamp) at {@code arrival}, the first of its partition (no partition watermark). */
    public static ValidUsage valid(UsageEvent e, long arrival) {
        return valid(e, arrival, Long.MIN_VALUE);
    }

    /** Usage that arrived at {@code arrival}, annotated with the partition watermark {@code pw}. */
    public static ValidUsage valid(UsageEvent e, long arrival, long pw) {
        RawRecord raw = new RawRecord("cms.usage.v1", 0, offset++, arrival,
                e.getSubscriptionId().getBytes(java.nio.charset.StandardCharsets.UTF_8), new byte[] {0, 0, 0, 0, 1, 2});
        return new ValidUsage(e, raw, pw);
    }

    /** A record of the usage topic's {@code partition} that the source decoded to the valid {@code e}. */
    public static RawRecord decoded(UsageEvent e, int partition, long offset, long timestamp) {
        return new RawRecord("cms.usage.v1", partition, offset, timestamp,
                e.getSubscriptionId().getBytes(java.nio.charset.StandardCharsets.UTF_8), new byte[] {0, 0, 0, 0, 1, 2}).valid(e);
    }

    private Fixtures() {}
}
