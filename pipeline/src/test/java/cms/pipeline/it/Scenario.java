package cms.pipeline.it;

import cms.avro.CommissionPlan;
import cms.avro.CommissionShare;
import cms.avro.HierarchyChange;
import cms.avro.NodeLevel;
import cms.avro.NodeStatus;
import cms.avro.PlanOwner;
import cms.avro.PriceBookVersion;
import cms.avro.PricingModel;
import cms.avro.UsageEvent;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import static cms.pipeline.Fixtures.book;
import static cms.pipeline.Fixtures.flat;
import static cms.pipeline.Fixtures.graduated;
import static cms.pipeline.Fixtures.node;
import static cms.pipeline.Fixtures.plan;
import static cms.pipeline.Fixtures.rate;
import static cms.pipeline.Fixtures.shareTier;
import static cms.pipeline.Fixtures.tier;

/**
 * A month of usage for a generated hierarchy, and what the pipeline must make of it, computed here
 * independently of the pipeline's own classes: plain arithmetic over the same contract rules.
 *
 * <p>January 2026: D distributors, P partners, T tenants, S subscriptions; tenant t0 moves from p0 to
 * p1 on the 15th; the last subscription is suspended from the 20th; price book A changes its vcpu
 * price on the 16th and has a regional rate; book B prices storage by VOLUME. Phase 1 is January in
 * event-time order per partition (each arriving a minute after it happened) with some usage out of
 * order (3 hours behind its partition: late; 30 minutes behind: not late), plus a few February events
 * that push the event-time watermark past January's finality, with duplicates, undecodable, invalid
 * (one with a wild future event time in mid-January, which must not move any watermark),
 * unknown-subscription and unpriced records mixed in. Phase 2 is late January usage, produced once
 * January is FINAL, behind the February records of its partition.
 *
 * <p>Lateness follows the pipeline's rule with d = the record's partition watermark: the maximum valid
 * eventTime of its Kafka partition before it (in production order), minus the out-of-orderness. The
 * rating operator's own watermark never exceeds that here (no partition goes idle, nothing valid waits
 * in the grace buffer), so d = pw.
 */
final class Scenario {
    static final Instant JAN = Instant.parse("2026-01-01T00:00:00Z");
    static final Instant MOVE = Instant.parse("2026-01-15T00:00:00Z");
    static final Instant PRICE_CHANGE = Instant.parse("2026-01-16T00:00:00Z");
    static final Instant SUSPEND = Instant.parse("2026-01-20T00:00:00Z");
    /** The hour of the last February records: the watermark rests just before its end after phase 1. */
    static final Instant ADVANCE_HOUR = Instant.parse("2026-02-02T10:00:00Z");
    static final java.time.Duration LATENESS = java.time.Duration.ofHours(1);
    /** The pipeline's out-of-orderness in the ITs. */
    static final java.time.Duration OUT_OF_ORDERNESS = java.time.Duration.ofMinutes(1);
    /** When the late January usage arrives (its Kafka timestamp): after every February record. */
    static final Instant ARRIVAL_OF_LATE = ADVANCE_HOUR.plus(57, ChronoUnit.MINUTES);

    enum Kind { RATED, DUPLICATE, UNDECODABLE, INVALID, UNKNOWN_SUBSCRIPTION, INACTIVE_SUBSCRIPTION, UNPRICED }

    /** One record to produce. value == null with event != null means "serialize event"; raw bytes otherwise. */
    static final class Record {
        final UsageEvent event;
        final byte[] raw;
        final boolean rawIsNull;
        final String key;
        final int partition;
        final long timestamp;
        Kind kind;
        /** Expected, for RATED. */
        String tenant, partner, distributor, currency;
        BigDecimal amount;
        boolean late;
        long bookingTime;
        /** Expected, for every valid record: its partition watermark (Long.MIN_VALUE for a partition's first). */
        long partitionWatermark;

        Record(UsageEvent event, byte[] raw, boolean rawIsNull, String key, int partition, long timestamp) {
            this.event = event;
            this.raw = raw;
            this.rawIsNull = rawIsNull;
            this.key = key;
            this.partition = partition;
            this.timestamp = timestamp;
        }
    }

    record Sub(String id, String tenant, String book, int partition) {}

    final int distributors, partners, tenants, subscriptions;
    final List<HierarchyChange> hierarchy = new ArrayList<>();
    final List<PriceBookVersion> books = new ArrayList<>();
    final List<CommissionPlan> plans = new ArrayList<>();
    final List<Sub> subs = new ArrayList<>();
    final Record canary;
    final List<Record> phase1 = new ArrayList<>();
    final List<Record> phase2 = new ArrayList<>();
    private final Random random;

    Scenario(int distributors, int partners, int tenants, int subscriptions, int events, long seed) {
        this.distributors = distributors;
        this.partners = partners;
        this.tenants = tenants;
        this.subscriptions = subscriptions;
        this.random = new Random(seed);
        String from = JAN.toString();
        for (int d = 0; d < distributors; d++) {
            hierarchy.add(node(NodeLevel.DISTRIBUTOR, "d" + d, null, from, NodeStatus.ACTIVE, null, d == 0 ? "dplan-d0" : null));
        }
        for (int p = 0; p < partners; p++) {
            hierarchy.add(node(NodeLevel.PARTNER, "p" + p, "d" + (p % distributors), from, NodeStatus.ACTIVE, null, p == 1 ? "pplan-p1" : null));
        }
        for (int t = 0; t < tenants; t++) {
            hierarchy.add(node(NodeLevel.TENANT, "t" + t, "p" + (t % partners), from));
        }
        hierarchy.add(node(NodeLevel.TENANT, "t0", "p1", MOVE.toString()));
        for (int s = 0; s < subscriptions; s++) {
            String bookId = s % 3 == 2 ? "B" : "A";
            Sub sub = new Sub("s" + s, "t" + (s % tenants), bookId, s % 2);
            subs.add(sub);
            hierarchy.add(node(NodeLevel.SUBSCRIPTION, sub.id, sub.tenant, from, NodeStatus.ACTIVE, bookId, null));
        }
        Sub suspended = subs.get(subscriptions - 1);
        hierarchy.add(node(NodeLevel.SUBSCRIPTION, suspended.id, suspended.tenant, SUSPEND.toString(), NodeStatus.SUSPENDED, suspended.book, null));

        books.add(book("A", "EUR", from,
                rate("vcpu", null, PricingModel.PER_UNIT, "10", tier(null, "0.05")),
                rate("vcpu", "eu", PricingModel.PER_UNIT, "10", tier(null, "0.07")),
                rate("gpu", null, PricingModel.GRADUATED, "0", tier("100", "1.20"), tier(null, "0.90"))));
        books.add(book("A", "EUR", PRICE_CHANGE.toString(),
                rate("vcpu", null, PricingModel.PER_UNIT, "10", tier(null, "0.06")),
                rate("vcpu", "eu", PricingModel.PER_UNIT, "10", tier(null, "0.08")),
                rate("gpu", null, PricingModel.GRADUATED, "0", tier("100", "1.20"), tier(null, "0.90"))));
        books.add(book("B", "USD", from,
                rate("storage", null, PricingModel.VOLUME, "0", tier("1000", "0.02"), tier(null, "0.015"))));

        plans.add(plan("default", PlanOwner.PLATFORM, null, from, flat("0.10"), flat("0.05")));
        plans.add(plan("dplan-d0", PlanOwner.DISTRIBUTOR, "d0", from, flat("0.12"),
                graduated(shareTier("500", "0.05"), shareTier(null, "0.07"))));
        plans.add(plan("pplan-p1", PlanOwner.PARTNER, "p1", from, graduated(shareTier("100", "0.10"), shareTier(null, "0.20")), null));

        canary = usageRecord("canary", subs.get(0), "vcpu", "1.000", JAN.plusSeconds(1), null);

        // January, in event-time order per partition (a subscription always writes to one partition)
        List<Record> january = new ArrayList<>();
        for (int n = 0; n < events; n++) {
            Sub sub = subs.get(random.nextInt(subscriptions));
            Instant t = JAN.plusSeconds(1 + random.nextInt(31 * 24 * 3600 - 2));
            january.add(usageRecord("e" + n, sub, meterOf(sub), quantity(), t, regionFor(sub)));
        }
        january.add(usageRecord("ghost-1", new Sub("ghost", "t0", "A", 0), "vcpu", "1", JAN.plus(3, ChronoUnit.DAYS), null));
        january.add(usageRecord("ghost-2", new Sub("ghost", "t0", "A", 0), "vcpu", "1", JAN.plus(9, ChronoUnit.DAYS), null));
        january.add(usageRecord("unpriced-1", subs.get(0), "quantum.qubits", "1", JAN.plus(4, ChronoUnit.DAYS), null));
        january.add(usageRecord("unpriced-2", subs.get(0), "quantum.qubits", "2", JAN.plus(5, ChronoUnit.DAYS), null));
        january.sort((a, b) -> a.event.getEventTime().compareTo(b.event.getEventTime()));

        int n = 0;
        for (Record r : january) {
            phase1.add(r);
            if (random.nextInt(20) == 0 && !r.event.getSubscriptionId().equals("ghost")) {
                phase1.add(new Record(r.event, null, false, r.key, r.partition, r.timestamp));  // re-sent
            }
            n++;
            if (n % 300 == 150) {
                // out of order in r's partition, arriving with r: 3 hours behind (late), 30 minutes behind (not late)
                Sub sub = subs.get(r.partition);
                Instant t = r.event.getEventTime();
                phase1.add(new Record(event("behind-3h-" + n, sub.id, meterOf(sub), quantity(), t.minus(3, ChronoUnit.HOURS),
                        regionFor(sub)), null, false, sub.id, sub.partition, r.timestamp));
                phase1.add(new Record(event("behind-30m-" + n, sub.id, meterOf(sub), quantity(), t.minus(30, ChronoUnit.MINUTES),
                        regionFor(sub)), null, false, sub.id, sub.partition, r.timestamp));
            }
            if (n == january.size() / 2) {
                // INVALID (more than max-event-lead after its record's timestamp): were it counted, this partition's
                // watermark would jump to June and finalize everything
                UsageEvent wild = event("future-2", subs.get(r.partition).id, "vcpu", "1", Instant.parse("2026-06-01T00:00:00Z"), null);
                phase1.add(new Record(wild, null, false, wild.getSubscriptionId(), r.partition, r.timestamp));
            }
        }
        // bad records: they carry no usable event time, so where they sit does not matter
        phase1.add(new Record(null, "not avro at all".getBytes(), false, "s0", 0, JAN.toEpochMilli()));
        phase1.add(new Record(null, new byte[] {0, 0x7f, 0x7f, 0x7f, 0x7f, 2, 4}, false, "s1", 1, JAN.toEpochMilli()));
        phase1.add(new Record(null, null, true, "s0", 0, JAN.toEpochMilli()));
        UsageEvent negative = event("neg-1", subs.get(1).id, "vcpu", "-1.000", JAN.plus(6, ChronoUnit.DAYS), null);
        phase1.add(new Record(negative, null, false, subs.get(1).id, subs.get(1).partition, negative.getEventTime().toEpochMilli()));
        UsageEvent future = event("future-1", subs.get(0).id, "vcpu", "1", JAN.plus(8, ChronoUnit.DAYS), null);
        phase1.add(new Record(future, null, false, subs.get(0).id, subs.get(0).partition,
                future.getEventTime().minus(2, ChronoUnit.HOURS).toEpochMilli()));
        UsageEvent blankId = event("", subs.get(0).id, "vcpu", "1", JAN.plus(8, ChronoUnit.DAYS), null);
        phase1.add(new Record(blankId, null, false, subs.get(0).id, subs.get(0).partition, blankId.getEventTime().toEpochMilli()));

        // February: every partition moves the watermark into ADVANCE_HOUR, past January's end + lateness
        for (int partition = 0; partition < 2; partition++) {
            Sub sub = subs.get(partition);
            for (int minute : new int[] {5, 30, 55}) {
                phase1.add(usageRecord("feb-" + partition + "-" + minute, sub, meterOf(sub), quantity(),
                        ADVANCE_HOUR.plus(minute, ChronoUnit.MINUTES), regionFor(sub)));
            }
        }

        // phase 2: late January usage, one per subscription of the first few, arriving after February's
        for (int s = 0; s < Math.min(4, subscriptions - 1); s++) {
            Sub sub = subs.get(s);
            Record late = usageRecord("late-" + s, sub, meterOf(sub), quantity(), JAN.plus(10 + s, ChronoUnit.DAYS), regionFor(sub));
            phase2.add(new Record(late.event, null, false, late.key, late.partition, ARRIVAL_OF_LATE.plusSeconds(s).toEpochMilli()));
        }
    }

    private String meterOf(Sub sub) {
        return sub.book.equals("B") ? "storage" : random.nextBoolean() ? "vcpu" : "gpu";
    }

    private String regionFor(Sub sub) {
        int r = random.nextInt(3);
        return r == 0 ? null : r == 1 ? "eu" : "us";
    }

    private String quantity() {
        return BigDecimal.valueOf(1 + random.nextInt(40_000), 3).toPlainString();
    }

    private static UsageEvent event(String id, String sub, String meter, String q, Instant t, String region) {
        return UsageEvent.newBuilder().setEventId(id).setSubscriptionId(sub).setMeterId(meter)
                .setQuantity(new BigDecimal(q).setScale(9)).setEventTime(t).setRegion(region).setAttributes(Map.of()).build();
    }

    private static Record usageRecord(String id, Sub sub, String meter, String q, Instant t, String region) {
        // arrives a minute after it happened
        return new Record(event(id, sub.id, meter, q, t, region), null, false, sub.id, sub.partition,
                t.plus(1, ChronoUnit.MINUTES).toEpochMilli());
    }

    // ---------------------------------------------------------------- expectations

    /** Classifies every record and computes the rated ones, in the order the pipeline sees each subscription's usage. */
    void computeExpectations() {
        Map<String, BigDecimal> cumulative = new HashMap<>();
        Set<String> seen = new HashSet<>();
        Map<Integer, Long> partitionMax = new HashMap<>();
        List<Record> all = new ArrayList<>();
        all.add(canary);
        all.addAll(phase1);
        all.addAll(phase2);
        for (Record r : all) {
            UsageEvent e = r.event;
            if (e == null) {
                r.kind = Kind.UNDECODABLE;
                continue;
            }
            long t = e.getEventTime().toEpochMilli();
            if (e.getEventId().isEmpty() || e.getQuantity().signum() < 0 || t > r.timestamp + 3_600_000L) {
                r.kind = Kind.INVALID;
                continue;
            }
            // valid: its partition watermark is the maximum valid event time of its partition before it, minus the bound
            Long max = partitionMax.get(r.partition);
            r.partitionWatermark = max == null ? Long.MIN_VALUE : max - OUT_OF_ORDERNESS.toMillis();
            partitionMax.merge(r.partition, t, Math::max);
            if (!seen.add(e.getSubscriptionId() + "/" + e.getEventId())) {
                r.kind = Kind.DUPLICATE;
                continue;
            }
            Sub sub = subs.stream().filter(s -> s.id.equals(e.getSubscriptionId())).findFirst().orElse(null);
            if (sub == null) {
                r.kind = Kind.UNKNOWN_SUBSCRIPTION;
                continue;
            }
            if (sub == subs.get(subscriptions - 1) && !e.getEventTime().isBefore(SUSPEND)) {
                r.kind = Kind.INACTIVE_SUBSCRIPTION;
                continue;
            }
            BigDecimal[][] rate = rateAt(sub.book, e.getMeterId(), e.getRegion(), e.getEventTime());
            if (rate == null) {
                r.kind = Kind.UNPRICED;
                continue;
            }
            r.kind = Kind.RATED;
            r.tenant = sub.tenant;
            r.partner = sub.tenant.equals("t0") && !e.getEventTime().isBefore(MOVE) ? "p1" : "p" + (Integer.parseInt(sub.tenant.substring(1)) % partners);
            r.distributor = "d" + (Integer.parseInt(r.partner.substring(1)) % distributors);
            r.currency = sub.book.equals("B") ? "USD" : "EUR";
            String period = period(t);
            String key = sub.id + "|" + period + "|" + e.getMeterId();
            BigDecimal before = cumulative.getOrDefault(key, BigDecimal.ZERO);
            BigDecimal after = before.add(e.getQuantity());
            cumulative.put(key, after);
            String model = sub.book.equals("B") ? "VOLUME" : e.getMeterId().equals("gpu") ? "GRADUATED" : "PER_UNIT";
            r.amount = periodAmount(model, rate, after).subtract(periodAmount(model, rate, before));
            // late: its partition's watermark had passed its hour's end plus the allowed lateness; booked at pw - lateness
            long hourEnd = e.getEventTime().truncatedTo(ChronoUnit.HOURS).plus(1, ChronoUnit.HOURS).toEpochMilli();
            long d = r.partitionWatermark;
            r.late = d >= hourEnd + LATENESS.toMillis();
            r.bookingTime = r.late ? d - LATENESS.toMillis() : t;
        }
    }

    /** {included, {upTo, price}...} of the rate in effect, or null when unpriced. */
    private static BigDecimal[][] rateAt(String book, String meter, String region, Instant t) {
        boolean v2 = !t.isBefore(PRICE_CHANGE);
        if (book.equals("A") && meter.equals("vcpu")) {
            String price = "eu".equals(region) ? (v2 ? "0.08" : "0.07") : (v2 ? "0.06" : "0.05");
            return new BigDecimal[][] {{new BigDecimal("10")}, {null, new BigDecimal(price)}};
        }
        if (book.equals("A") && meter.equals("gpu")) {
            return new BigDecimal[][] {{BigDecimal.ZERO}, {new BigDecimal("100"), new BigDecimal("1.20")}, {null, new BigDecimal("0.90")}};
        }
        if (book.equals("B") && meter.equals("storage")) {
            return new BigDecimal[][] {{BigDecimal.ZERO}, {new BigDecimal("1000"), new BigDecimal("0.02")}, {null, new BigDecimal("0.015")}};
        }
        return null;
    }

    private static BigDecimal periodAmount(String model, BigDecimal[][] rate, BigDecimal q) {
        BigDecimal billable = q.subtract(rate[0][0]).max(BigDecimal.ZERO);
        BigDecimal amount = BigDecimal.ZERO;
        switch (model) {
            case "PER_UNIT" -> amount = billable.multiply(rate[1][1]);
            case "GRADUATED" -> {
                BigDecimal first = billable.min(rate[1][0]);
                amount = first.multiply(rate[1][1]).add(billable.subtract(first).multiply(rate[2][1]));
            }
            case "VOLUME" -> amount = billable.multiply(billable.compareTo(rate[1][0]) <= 0 ? rate[1][1] : rate[2][1]);
            default -> throw new IllegalArgumentException(model);
        }
        return amount.setScale(18, RoundingMode.HALF_EVEN);
    }

    static String period(long t) {
        return LocalDateTime.ofInstant(Instant.ofEpochMilli(t), ZoneOffset.UTC).toString().substring(0, 7);
    }

    List<Record> allRecords() {
        List<Record> all = new ArrayList<>();
        all.add(canary);
        all.addAll(phase1);
        all.addAll(phase2);
        return all;
    }

    /** The expected content of rollups (child "") and rollups_by_child, as "key -> values" strings. */
    Map<String, String> expectedRows(long watermarkAfterPhase1) {
        Map<String, Agg> rows = new TreeMap<>();
        for (Record r : allRecords()) {
            if (r.kind != Kind.RATED) {
                continue;
            }
            String sub = r.event.getSubscriptionId();
            for (String g : new String[] {"HOUR", "DAY", "MONTH"}) {
                add(rows, r, g, "SUBSCRIPTION", sub, "");
                add(rows, r, g, "TENANT", r.tenant, "");
                add(rows, r, g, "PARTNER", r.partner, "");
                add(rows, r, g, "DISTRIBUTOR", r.distributor, "");
                add(rows, r, g, "TENANT", r.tenant, sub);
                add(rows, r, g, "PARTNER", r.partner, r.tenant);
                add(rows, r, g, "DISTRIBUTOR", r.distributor, r.partner);
            }
        }
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, Agg> e : rows.entrySet()) {
            Agg a = e.getValue();
            String status = a.end + LATENESS.toMillis() <= watermarkAfterPhase1 ? "FINAL" : "OPEN";
            out.put(e.getKey(), values(status, a.count, a.quantity, a.amount, a.adjCount, a.adjAmount));
        }
        return out;
    }

    /** Expected commission totals per beneficiary and currency: the sum over event periods of C(period subtree amount). */
    Map<String, BigDecimal> expectedCommissions() {
        Map<String, BigDecimal> subtree = new TreeMap<>();
        Map<String, CommissionShare> shares = new HashMap<>();
        Map<String, BigDecimal> flatSums = new HashMap<>();
        for (Record r : allRecords()) {
            if (r.kind != Kind.RATED) {
                continue;
            }
            String period = period(r.event.getEventTime().toEpochMilli());
            String pk = "PARTNER|" + r.partner + "|" + r.currency + "|" + period;
            String dk = "DISTRIBUTOR|" + r.distributor + "|" + r.currency + "|" + period;
            subtree.merge(pk, r.amount, BigDecimal::add);
            subtree.merge(dk, r.amount, BigDecimal::add);
            shares.put(pk, r.partner.equals("p1") ? plans.get(2).getPartnerShare()
                    : partnerDistributor(r.partner).equals("d0") ? plans.get(1).getPartnerShare() : plans.get(0).getPartnerShare());
            shares.put(dk, r.distributor.equals("d0") ? plans.get(1).getDistributorShare() : plans.get(0).getDistributorShare());
            for (String k : new String[] {pk, dk}) {
                BigDecimal rate = shares.get(k).getTiers().get(0).getRate();
                flatSums.merge(k, r.amount.multiply(rate).setScale(18, RoundingMode.HALF_EVEN), BigDecimal::add);
            }
        }
        Map<String, BigDecimal> out = new TreeMap<>();
        for (Map.Entry<String, BigDecimal> e : subtree.entrySet()) {
            String[] k = e.getKey().split("\\|");
            CommissionShare share = shares.get(e.getKey());
            // flat shares are rounded per event, graduated ones telescope to C(period total)
            BigDecimal c = share.getModel() == cms.avro.ShareModel.FLAT ? flatSums.get(e.getKey()) : commission(share, e.getValue());
            out.merge(k[0] + "|" + k[1] + "|" + k[2], c, BigDecimal::add);
        }
        return out;
    }

    private String partnerDistributor(String partner) {
        return "d" + (Integer.parseInt(partner.substring(1)) % distributors);
    }

    private static BigDecimal commission(CommissionShare share, BigDecimal s) {
        BigDecimal c = BigDecimal.ZERO;
        BigDecimal lower = BigDecimal.ZERO;
        for (var tier : share.getTiers()) {
            BigDecimal upper = tier.getUpTo() == null ? s : tier.getUpTo().min(s);
            if (upper.compareTo(lower) > 0) {
                c = c.add(upper.subtract(lower).multiply(tier.getRate()));
            }
            if (tier.getUpTo() == null) {
                break;
            }
            lower = tier.getUpTo();
        }
        return c.setScale(18, RoundingMode.HALF_EVEN);
    }

    static String values(String status, long count, BigDecimal q, BigDecimal a, long adjCount, BigDecimal adjAmount) {
        return status + " n=" + count + " q=" + plain(q) + " a=" + plain(a) + " adj=" + adjCount + "/" + plain(adjAmount);
    }

    static String plain(BigDecimal d) {
        return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
    }

    static String key(String level, String node, String granularity, long windowStart, String child, String meter, String currency) {
        return level + "|" + node + "|" + granularity + "|" + Instant.ofEpochMilli(windowStart) + "|" + child + "|" + meter + "|" + currency;
    }

    private static final class Agg {
        long end;
        long count;
        long adjCount;
        BigDecimal quantity = BigDecimal.ZERO;
        BigDecimal amount = BigDecimal.ZERO;
        BigDecimal adjAmount = BigDecimal.ZERO;
    }

    private static void add(Map<String, Agg> rows, Record r, String granularity, String level, String node, String child) {
        LocalDateTime b = LocalDateTime.ofInstant(Instant.ofEpochMilli(r.bookingTime), ZoneOffset.UTC);
        LocalDateTime start = switch (granularity) {
            case "HOUR" -> b.truncatedTo(ChronoUnit.HOURS);
            case "DAY" -> b.truncatedTo(ChronoUnit.DAYS);
            default -> b.truncatedTo(ChronoUnit.DAYS).withDayOfMonth(1);
        };
        LocalDateTime end = switch (granularity) {
            case "HOUR" -> start.plusHours(1);
            case "DAY" -> start.plusDays(1);
            default -> start.plusMonths(1);
        };
        Agg a = rows.computeIfAbsent(key(level, node, granularity, start.toInstant(ZoneOffset.UTC).toEpochMilli(), child,
                r.event.getMeterId(), r.currency), k -> new Agg());
        a.end = end.toInstant(ZoneOffset.UTC).toEpochMilli();
        a.count++;
        a.quantity = a.quantity.add(r.event.getQuantity());
        a.amount = a.amount.add(r.amount);
        if (r.late) {
            a.adjCount++;
            a.adjAmount = a.adjAmount.add(r.amount);
        }
    }

    long count(Kind kind) {
        return allRecords().stream().filter(r -> r.kind == kind).count();
    }
}
