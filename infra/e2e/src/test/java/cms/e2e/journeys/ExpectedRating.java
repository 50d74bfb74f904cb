package cms.e2e.journeys;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Currency;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The test's own rating, written from CONTRACT.md's rules and nothing of the pipeline: what every
 * statement line, roll-up and commission of a billing period must come to, from the events the
 * test sent.
 *
 * <ul>
 *   <li>Valid events only (quantity >= 0); an eventId repeated within a subscription counts once.</li>
 *   <li>The rate for a meter and region: the region's own, else the meter's rate without region.</li>
 *   <li>Tiers over the subscription's cumulative quantity of the meter in the billing period (UTC
 *       calendar month), after the included quantity: PER_UNIT, GRADUATED (each unit in its tier),
 *       VOLUME (every unit at the tier the total reached). An event's amount is the increase it
 *       causes in the period amount, so the period total is P(total) whatever the order.</li>
 *   <li>Commission: the partner's share from the partner's plan, else its distributor's, else the
 *       plan "default"; the distributor's from its own plan, else "default"; each the plan version in
 *       effect at the event's time. FLAT: rate x amount. GRADUATED: over the beneficiary's
 *       period-to-date amount across its whole subtree (per currency), each part at its tier's rate;
 *       an event earns the increase it causes.</li>
 *   <li>Exact decimals throughout; statements round each line half-even to the currency's minor
 *       unit and total the rounded lines.</li>
 * </ul>
 * Under a GRADUATED share only a beneficiary's period total is independent of the order events are
 * processed in (the split between its children is not), so the commission of a part of a
 * beneficiary's subtree is reported only where it is order-independent.
 */
final class ExpectedRating {
    enum Model { PER_UNIT, GRADUATED, VOLUME }

    enum Level { SUBSCRIPTION, TENANT, PARTNER, DISTRIBUTOR }

    record Tier(BigDecimal upTo, BigDecimal value) {
        static Tier of(String upTo, String value) {
            return new Tier(upTo == null ? null : new BigDecimal(upTo), new BigDecimal(value));
        }
    }

    /** A rate of a price book: a meter, optionally a region. */
    record Rate(String meterId, String region, Model model, BigDecimal included, List<Tier> tiers) {
        static Rate of(String meterId, String region, Model model, String included, Tier... tiers) {
            return new Rate(meterId, region, model, new BigDecimal(included), List.of(tiers));
        }

        /** P(Q): the amount of a period in which the subscription used Q of this meter. */
        BigDecimal periodAmount(BigDecimal q) {
            BigDecimal billable = q.subtract(included);
            if (billable.signum() <= 0) {
                return BigDecimal.ZERO;
            }
            return switch (model) {
                case PER_UNIT -> billable.multiply(tiers.get(0).value());
                case VOLUME -> billable.multiply(tiers.stream()
                        .filter(t -> t.upTo() == null || billable.compareTo(t.upTo()) <= 0).findFirst().orElseThrow().value());
                case GRADUATED -> tiered(tiers, billable);
            };
        }

        Map<String, Object> json() {
            List<Map<String, Object>> t = new ArrayList<>();
            tiers.forEach(x -> t.add(Api.obj("upTo", x.upTo() == null ? null : x.upTo().toPlainString(),
                    "unitPrice", x.value().toPlainString())));
            return Api.obj("meterId", meterId, "region", region, "model", model.name(), "includedQuantity",
                    included.toPlainString(), "tiers", t);
        }
    }

    record PriceBook(String id, String name, String currency, List<Rate> rates) {
        Rate rateFor(String meterId, String region) {
            Rate fallback = null;
            for (Rate r : rates) {
                if (r.meterId().equals(meterId)) {
                    if (r.region() == null) {
                        fallback = r;
                    } else if (r.region().equals(region)) {
                        return r;
                    }
                }
            }
            if (fallback == null) {
                throw new IllegalArgumentException("the test sends " + meterId + " in " + region + " but book " + id + " has no rate");
            }
            return fallback;
        }

        Map<String, Object> json(Instant effectiveFrom) {
            return Api.obj("name", name, "currency", currency, "effectiveFrom", effectiveFrom,
                    "rates", rates.stream().map(Rate::json).toList());
        }
    }

    /** A commission share: FLAT (one tier) or GRADUATED over the beneficiary's period-to-date subtree amount. */
    record Share(boolean graduated, List<Tier> tiers) {
        static Share flat(String rate) {
            return new Share(false, List.of(Tier.of(null, rate)));
        }

        static Share graduated(Tier... tiers) {
            return new Share(true, List.of(tiers));
        }

        /** C(S). */
        BigDecimal commission(BigDecimal subtotal) {
            if (!graduated || subtotal.signum() <= 0) {
                return subtotal.multiply(tiers.get(0).value());
            }
            return tiered(tiers, subtotal);
        }

        Map<String, Object> json() {
            List<Map<String, Object>> t = new ArrayList<>();
            tiers.forEach(x -> t.add(Api.obj("upTo", x.upTo() == null ? null : x.upTo().toPlainString(), "rate", x.value().toPlainString())));
            return Api.obj("model", graduated ? "GRADUATED" : "FLAT", "tiers", t);
        }
    }

    /** One version of a commission plan; a share is null when the plan does not set it. */
    record PlanVersion(Instant effectiveFrom, Share partnerShare, Share distributorShare) {}

    /** An event as the test expects it rated. */
    record Rated(Usage usage, String tenant, String partner, String distributor, String currency, BigDecimal amount,
                 BigDecimal partnerCommission, BigDecimal distributorCommission, boolean partnerGraduated,
                 boolean distributorGraduated) {
        String idAt(Level level) {
            return switch (level) {
                case SUBSCRIPTION -> usage.subscriptionId();
                case TENANT -> tenant;
                case PARTNER -> partner;
                case DISTRIBUTOR -> distributor;
            };
        }
    }

    /** Sums over a set of events; a commission is empty where it depends on processing order. */
    record Totals(String currency, int eventCount, BigDecimal quantity, BigDecimal amount,
                  Optional<BigDecimal> partnerCommission, Optional<BigDecimal> distributorCommission) {}

    /** A statement line: one subscription, meter and currency. */
    record Line(String subscriptionId, String meterId, String currency, int eventCount, BigDecimal quantity,
                BigDecimal unrounded, BigDecimal amount) {}

    // --- the channel's reference data, as the test onboarded it -----------------------------------

    private final Map<String, PriceBook> books = new HashMap<>();
    private final Map<String, NavigableMap<Instant, PlanVersion>> plans = new HashMap<>();
    private final Map<String, String[]> subscriptions = new HashMap<>(); // id -> tenant, price book
    private final Map<String, String> tenants = new HashMap<>();          // id -> partner
    private final Map<String, String> partners = new HashMap<>();         // id -> distributor
    private final Map<String, String> planOf = new HashMap<>();           // partner or distributor id -> plan id (absent: inherits)

    void book(PriceBook book) {
        books.put(book.id(), book);
    }

    void plan(String id, PlanVersion version) {
        plans.computeIfAbsent(id, k -> new TreeMap<>()).put(version.effectiveFrom(), version);
    }

    void distributor(String id, String planId) {
        if (planId != null) {
            planOf.put(id, planId);
        }
    }

    void partner(String id, String distributorId, String planId) {
        partners.put(id, distributorId);
        if (planId != null) {
            planOf.put(id, planId);
        }
    }

    void tenant(String id, String partnerId) {
        tenants.put(id, partnerId);
    }

    void subscription(String id, String tenantId, String priceBookId) {
        subscriptions.put(id, new String[] {tenantId, priceBookId});
    }

    // --- rating -----------------------------------------------------------------------------------

    /** Rates the period's events among {@code sent}, in the order given. */
    Period rate(List<Usage> sent, YearMonth period) {
        Instant start = period.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant end = period.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        Set<String> seen = new HashSet<>();
        Map<String, BigDecimal> cumulative = new HashMap<>();  // subscription|meter -> quantity
        Map<String, BigDecimal> subtree = new HashMap<>();     // beneficiary|currency -> amount
        List<Rated> out = new ArrayList<>();
        for (Usage u : sent) {
            if (!subscriptions.containsKey(u.subscriptionId()) || u.eventTime().isBefore(start) || !u.eventTime().isBefore(end)) {
                continue;
            }
            if (u.quantity().signum() < 0 || u.eventId().isEmpty() || u.eventId().length() > 128) {
                continue; // INVALID: dead-lettered, never rated
            }
            if (!seen.add(u.subscriptionId() + "|" + u.eventId())) {
                continue; // a duplicate counts once
            }
            String[] sub = subscriptions.get(u.subscriptionId());
            String tenant = sub[0];
            String partner = tenants.get(tenant);
            String distributor = partners.get(partner);
            PriceBook book = books.get(sub[1]);
            Rate rate = book.rateFor(u.meterId(), u.region());
            String key = u.subscriptionId() + "|" + u.meterId();
            BigDecimal before = cumulative.getOrDefault(key, BigDecimal.ZERO);
            BigDecimal after = before.add(u.quantity());
            cumulative.put(key, after);
            BigDecimal amount = rate.periodAmount(after).subtract(rate.periodAmount(before));

            Share ps = share(u.eventTime(), true, planOf.get(partner), planOf.get(distributor), "default");
            Share ds = share(u.eventTime(), false, planOf.get(distributor), "default");
            BigDecimal pc = earn(ps, subtree, partner + "|" + book.currency(), amount);
            BigDecimal dc = earn(ds, subtree, distributor + "|" + book.currency(), amount);
            out.add(new Rated(u, tenant, partner, distributor, book.currency(), amount, pc, dc,
                    ps != null && ps.graduated(), ds != null && ds.graduated()));
        }
        return new Period(out);
    }

    private Share share(Instant t, boolean partnerShare, String... chain) {
        for (String planId : chain) {
            if (planId == null || !plans.containsKey(planId)) {
                continue;
            }
            Map.Entry<Instant, PlanVersion> v = plans.get(planId).floorEntry(t);
            Share s = v == null ? null : partnerShare ? v.getValue().partnerShare() : v.getValue().distributorShare();
            if (s != null) {
                return s;
            }
        }
        return null;
    }

    private static BigDecimal earn(Share share, Map<String, BigDecimal> subtree, String key, BigDecimal amount) {
        BigDecimal before = subtree.getOrDefault(key, BigDecimal.ZERO);
        subtree.put(key, before.add(amount));
        if (share == null) {
            return BigDecimal.ZERO;
        }
        return share.graduated() ? share.commission(before.add(amount)).subtract(share.commission(before))
                : amount.multiply(share.tiers().get(0).value());
    }

    /** Each part of q at the value of the tier it falls in. */
    private static BigDecimal tiered(List<Tier> tiers, BigDecimal q) {
        BigDecimal total = BigDecimal.ZERO;
        BigDecimal lower = BigDecimal.ZERO;
        for (Tier t : tiers) {
            BigDecimal upper = t.upTo() == null ? q : t.upTo().min(q);
            if (upper.compareTo(lower) > 0) {
                total = total.add(upper.subtract(lower).multiply(t.value()));
            }
            if (t.upTo() == null || q.compareTo(t.upTo()) <= 0) {
                break;
            }
            lower = t.upTo();
        }
        return total;
    }

    /** Half-even to the currency's minor unit. */
    static BigDecimal round(BigDecimal amount, String currency) {
        return amount.setScale(Currency.getInstance(currency).getDefaultFractionDigits(), RoundingMode.HALF_EVEN);
    }

    /** The rated events of one billing period and what they add up to. */
    static final class Period {
        private final List<Rated> rated;

        Period(List<Rated> rated) {
            this.rated = List.copyOf(rated);
        }

        List<Rated> events() {
            return rated;
        }

        /** The node's totals per currency. */
        Map<String, Totals> totals(Level level, String id) {
            return sums(r -> r.idAt(level).equals(id));
        }

        /** The node's children (one level down) with their totals per currency, by child id. */
        Map<String, Map<String, Totals>> children(Level level, String id) {
            Level below = Level.values()[level.ordinal() - 1];
            Map<String, Map<String, Totals>> out = new TreeMap<>();
            rated.stream().filter(r -> r.idAt(level).equals(id)).map(r -> r.idAt(below)).distinct()
                    .forEach(child -> out.put(child, sums(r -> r.idAt(below).equals(child) && r.idAt(level).equals(id))));
            return out;
        }

        /** The tenant's statement lines, by subscription, meter and currency. */
        List<Line> statement(String tenantId) {
            Map<List<String>, List<Rated>> groups = rated.stream().filter(r -> r.tenant().equals(tenantId))
                    .collect(Collectors.groupingBy(r -> List.of(r.usage().subscriptionId(), r.usage().meterId(), r.currency()),
                            LinkedHashMap::new, Collectors.toList()));
            List<Line> lines = new ArrayList<>();
            groups.forEach((k, events) -> {
                BigDecimal amount = events.stream().map(Rated::amount).reduce(BigDecimal.ZERO, BigDecimal::add);
                BigDecimal quantity = events.stream().map(r -> r.usage().quantity()).reduce(BigDecimal.ZERO, BigDecimal::add);
                lines.add(new Line(k.get(0), k.get(1), k.get(2), events.size(), quantity, amount, round(amount, k.get(2))));
            });
            lines.sort(Comparator.comparing(Line::subscriptionId).thenComparing(Line::meterId).thenComparing(Line::currency));
            return lines;
        }

        /** The statement's totals per currency: sums of the rounded lines. */
        Map<String, BigDecimal> statementTotals(String tenantId) {
            Map<String, BigDecimal> out = new TreeMap<>();
            statement(tenantId).forEach(l -> out.merge(l.currency(), l.amount(), BigDecimal::add));
            return out;
        }

        private Map<String, Totals> sums(Predicate<Rated> in) {
            Map<String, Totals> out = new TreeMap<>();
            Map<String, List<Rated>> byCurrency = rated.stream().filter(in)
                    .collect(Collectors.groupingBy(Rated::currency, TreeMap::new, Collectors.toList()));
            byCurrency.forEach((currency, events) -> out.put(currency, new Totals(currency, events.size(),
                    events.stream().map(r -> r.usage().quantity()).reduce(BigDecimal.ZERO, BigDecimal::add),
                    events.stream().map(Rated::amount).reduce(BigDecimal.ZERO, BigDecimal::add),
                    commission(events, Level.PARTNER), commission(events, Level.DISTRIBUTOR))));
            return out;
        }

        /**
         * The commission the beneficiaries at {@code beneficiary} level earned on {@code events}: empty
         * when a GRADUATED share makes that depend on processing order, i.e. when the events hold part,
         * but not all, of a graduated beneficiary's period.
         */
        private Optional<BigDecimal> commission(List<Rated> events, Level beneficiary) {
            Set<Rated> subset = new HashSet<>(events);
            for (Rated r : events) {
                boolean graduated = beneficiary == Level.PARTNER ? r.partnerGraduated() : r.distributorGraduated();
                if (graduated) {
                    String b = r.idAt(beneficiary);
                    boolean whole = rated.stream().filter(x -> x.idAt(beneficiary).equals(b) && x.currency().equals(r.currency()))
                            .allMatch(subset::contains);
                    if (!whole) {
                        return Optional.empty();
                    }
                }
            }
            return Optional.of(events.stream()
                    .map(r -> beneficiary == Level.PARTNER ? r.partnerCommission() : r.distributorCommission())
                    .reduce(BigDecimal.ZERO, BigDecimal::add));
        }
    }
}
