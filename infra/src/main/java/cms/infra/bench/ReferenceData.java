package cms.infra.bench;

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
import cms.infra.load.ChannelShape;
import cms.registry.SchemaRegistryClient;
import cms.topics.VersionKeys;
import cms.wire.AvroSerializer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The benchmark's reference data, published straight to the reference topics with the project's
 * Avro types and version keys (as the pipeline's integration test does, and as the API would write
 * it): a regular channel (every subscription on one of two price books that price every meter the
 * usage generator sends, with each pricing model), the platform default commission plan, a
 * distributor's graduated plan and a partner's own plan, and a probe tenant whose subscriptions
 * receive only the latency probes. Every version has a fixed effectiveFrom and recordedAt, so
 * publishing the same channel again writes identical versions under the same keys. The benchmark
 * publishes everything to the run's own reference topics (the job's) and the nodes alone to the
 * stack's hierarchy topic, the only one the API reads, so that it resolves the nodes queried.
 */
public final class ReferenceData {
    static final Instant FROM = Instant.parse("2020-01-01T00:00:00Z");
    static final String BOOK_USD = "bench-usd";
    static final String BOOK_EUR = "bench-eur";
    static final String DISTRIBUTOR_PLAN = "bench-dplan";
    static final String PARTNER_PLAN = "bench-pplan";

    private final ChannelShape channel;
    private final int probes;

    public ReferenceData(ChannelShape channel, int probes) {
        this.channel = channel;
        this.probes = probes;
    }

    public String probeTenant() {
        return channel.prefix() + "-probe-t";
    }

    public String probeSubscription(int i) {
        return channel.prefix() + "-probe-s" + i;
    }

    /** The hierarchy versions: the channel, then the probe tenant and its subscriptions under the first partner. */
    public List<HierarchyChange> hierarchy() {
        List<HierarchyChange> out = new ArrayList<>(channel.subscriptions() + channel.tenants() + channel.partners()
                + channel.distributors() + probes + 1);
        for (int d = 0; d < channel.distributors(); d++) {
            out.add(node(NodeLevel.DISTRIBUTOR, channel.distributorId(d), null, null, d == 0 ? DISTRIBUTOR_PLAN : null));
            for (int p = 0; p < channel.partnersPerDistributor(); p++) {
                out.add(node(NodeLevel.PARTNER, channel.partnerId(d, p), channel.distributorId(d), null,
                        d == 0 && p == 0 ? PARTNER_PLAN : null));
                for (int t = 0; t < channel.tenantsPerPartner(); t++) {
                    out.add(node(NodeLevel.TENANT, channel.tenantId(d, p, t), channel.partnerId(d, p), null, null));
                    String book = t % 2 == 0 ? BOOK_USD : BOOK_EUR;
                    for (int s = 0; s < channel.subscriptionsPerTenant(); s++) {
                        out.add(node(NodeLevel.SUBSCRIPTION, channel.subscriptionId(d, p, t, s), channel.tenantId(d, p, t), book, null));
                    }
                }
            }
        }
        out.add(node(NodeLevel.TENANT, probeTenant(), channel.partnerId(0, 0), null, null));
        for (int i = 0; i < probes; i++) {
            out.add(node(NodeLevel.SUBSCRIPTION, probeSubscription(i), probeTenant(), BOOK_USD, null));
        }
        return out;
    }

    public List<PriceBookVersion> priceBooks() {
        return List.of(book(BOOK_USD, "USD", false), book(BOOK_EUR, "EUR", true));
    }

    public List<CommissionPlan> plans() {
        return List.of(
                plan("default", PlanOwner.PLATFORM, null, flat("0.10"), flat("0.05")),
                plan(DISTRIBUTOR_PLAN, PlanOwner.DISTRIBUTOR, channel.distributorId(0), flat("0.12"),
                        graduated("5000", "0.05", "0.07")),
                plan(PARTNER_PLAN, PlanOwner.PARTNER, channel.partnerId(0, 0), graduated("1000", "0.10", "0.15"), null));
    }

    /** The three topics reference data goes to (the pipeline's are configurable, the API reads the stack's). */
    public record Topics(String hierarchy, String priceBooks, String commissionPlans) {
        public static Topics stack() {
            return new Topics(cms.topics.Topics.HIERARCHY, cms.topics.Topics.PRICE_BOOKS, cms.topics.Topics.COMMISSION_PLANS);
        }
    }

    /**
     * Sends every version (or, with {@code hierarchyOnly}, the nodes alone: what the API needs to
     * resolve the nodes the benchmark queries) and waits until Kafka acknowledged all of them;
     * returns how many were sent.
     */
    public int publish(String bootstrap, String registryUrl, Topics topics, boolean hierarchyOnly) throws Exception {
        SchemaRegistryClient registry = new SchemaRegistryClient(SchemaRegistryClient.Config.of(registryUrl));
        AvroSerializer serializer = new AvroSerializer(registry, true);
        Properties p = LoadProducer.producerProperties(bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        AtomicReference<Exception> failure = new AtomicReference<>();
        int sent = 0;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            if (!hierarchyOnly) {
                for (PriceBookVersion b : priceBooks()) {
                    producer.send(new ProducerRecord<>(topics.priceBooks(), VersionKeys.priceBook(b),
                            serializer.serialize(topics.priceBooks(), b)), (m, e) -> failure.compareAndSet(null, e));
                    sent++;
                }
                for (CommissionPlan c : plans()) {
                    producer.send(new ProducerRecord<>(topics.commissionPlans(), VersionKeys.commissionPlan(c),
                            serializer.serialize(topics.commissionPlans(), c)), (m, e) -> failure.compareAndSet(null, e));
                    sent++;
                }
            }
            for (HierarchyChange h : hierarchy()) {
                producer.send(new ProducerRecord<>(topics.hierarchy(), VersionKeys.hierarchy(h), serializer.serialize(topics.hierarchy(), h)),
                        (m, e) -> failure.compareAndSet(null, e));
                sent++;
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        return sent;
    }

    private static HierarchyChange node(NodeLevel level, String id, String parent, String priceBook, String plan) {
        return HierarchyChange.newBuilder()
                .setLevel(level).setId(id).setParentId(parent).setName(null).setStatus(NodeStatus.ACTIVE)
                .setEffectiveFrom(FROM).setPriceBookId(priceBook).setCommissionPlanId(plan)
                .setRecordedAt(FROM).setRecordedBy("bench").build();
    }

    /** Prices every meter of {@link cms.infra.load.UsageMix#DEFAULT_METERS}, with each model and included quantities. */
    private static PriceBookVersion book(String id, String currency, boolean withRegion) {
        List<Rate> rates = new ArrayList<>(List.of(
                rate("compute.vcpu.hours", null, PricingModel.PER_UNIT, "0", tier(null, "0.045")),
                rate("storage.gb.hours", null, PricingModel.GRADUATED, "100", tier("10000", "0.0001"), tier(null, "0.00008")),
                rate("network.egress.gb", null, PricingModel.VOLUME, "0", tier("1000", "0.09"), tier("10000", "0.07"), tier(null, "0.05")),
                rate("licence.seat.days", null, PricingModel.PER_UNIT, "5", tier(null, "1.20"))));
        if (withRegion) {
            rates.add(rate("compute.vcpu.hours", "eu-west", PricingModel.PER_UNIT, "0", tier(null, "0.052")));
        }
        return PriceBookVersion.newBuilder().setPriceBookId(id).setName(id).setCurrency(currency).setEffectiveFrom(FROM)
                .setRates(rates).setRecordedAt(FROM).setRecordedBy("bench").build();
    }

    private static Rate rate(String meter, String region, PricingModel model, String included, PriceTier... tiers) {
        return Rate.newBuilder().setMeterId(meter).setRegion(region).setModel(model)
                .setIncludedQuantity(new BigDecimal(included).setScale(9)).setTiers(List.of(tiers)).setUnit(null).build();
    }

    private static PriceTier tier(String upTo, String unitPrice) {
        return PriceTier.newBuilder().setUpTo(upTo == null ? null : new BigDecimal(upTo).setScale(9))
                .setUnitPrice(new BigDecimal(unitPrice).setScale(18)).build();
    }

    private static CommissionShare flat(String rate) {
        return CommissionShare.newBuilder().setModel(ShareModel.FLAT).setTiers(List.of(shareTier(null, rate))).build();
    }

    private static CommissionShare graduated(String upTo, String first, String rest) {
        return CommissionShare.newBuilder().setModel(ShareModel.GRADUATED)
                .setTiers(List.of(shareTier(upTo, first), shareTier(null, rest))).build();
    }

    private static ShareTier shareTier(String upTo, String rate) {
        return ShareTier.newBuilder().setUpTo(upTo == null ? null : new BigDecimal(upTo).setScale(18))
                .setRate(new BigDecimal(rate).setScale(18)).build();
    }

    private static CommissionPlan plan(String id, PlanOwner owner, String ownerId, CommissionShare partner, CommissionShare distributor) {
        return CommissionPlan.newBuilder().setPlanId(id).setName(id).setOwner(owner).setOwnerId(ownerId).setEffectiveFrom(FROM)
                .setPartnerShare(partner).setDistributorShare(distributor).setRecordedAt(FROM).setRecordedBy("bench").build();
    }
}
