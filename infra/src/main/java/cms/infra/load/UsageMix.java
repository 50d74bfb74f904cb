package cms.infra.load;

import cms.avro.UsageEvent;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Decides what the n-th record of a load is: a fresh usage event, a duplicate of a recent one, a
 * late one, or a bad record of each kind the pipeline must dead-letter. Deterministic for a seed,
 * so a run can be repeated exactly.
 */
public final class UsageMix {
    /** What a generated record is meant to be. */
    public enum Kind { FRESH, DUPLICATE, LATE, UNDECODABLE, INVALID, UNKNOWN_SUBSCRIPTION }

    /** One record to send: the event (absent for UNDECODABLE) or raw bytes. */
    public record Draft(Kind kind, String key, UsageEvent event, byte[] raw) {}

    /** A meter and the range of quantities one event of it carries. */
    public record Meter(String id, BigDecimal min, BigDecimal max) {}

    public static final List<Meter> DEFAULT_METERS = List.of(
            new Meter("compute.vcpu.hours", new BigDecimal("0.25"), new BigDecimal("4")),
            new Meter("storage.gb.hours", new BigDecimal("1"), new BigDecimal("500")),
            new Meter("network.egress.gb", new BigDecimal("0.001"), new BigDecimal("10")),
            new Meter("licence.seat.days", BigDecimal.ONE, BigDecimal.ONE));
    private static final List<String> REGIONS = java.util.Arrays.asList("eu-west", "us-east", null);

    private final ChannelShape channel;
    private final List<Meter> meters;
    private final double duplicates;
    private final double late;
    private final double bad;
    private final Duration lateBy;
    private final SplittableRandom random;
    private final String runId;
    private final Deque<UsageEvent> recent = new ArrayDeque<>();
    private long sequence;

    /**
     * @param duplicates share of records that repeat a recent event (same eventId and content)
     * @param late       share of events whose time lies {@code lateBy} or more before the clock
     * @param bad        share of bad records, split evenly over undecodable, invalid and unknown subscription
     */
    public UsageMix(ChannelShape channel, List<Meter> meters, double duplicates, double late, double bad,
                    Duration lateBy, long seed) {
        for (double share : new double[] {duplicates, late, bad}) {
            if (share < 0 || share > 1) {
                throw new IllegalArgumentException("shares must be within 0..1");
            }
        }
        if (duplicates + late + bad > 1) {
            throw new IllegalArgumentException("duplicates + late + bad must not exceed 1");
        }
        this.channel = channel;
        this.meters = List.copyOf(meters);
        this.duplicates = duplicates;
        this.late = late;
        this.bad = bad;
        this.lateBy = lateBy;
        this.random = new SplittableRandom(seed);
        this.runId = Long.toString(seed, 36);
    }

    /** The next record, with event time taken from {@code clock} (the load's event-time clock). */
    public Draft next(Instant clock) {
        double roll = random.nextDouble();
        if (roll < duplicates && !recent.isEmpty()) {
            UsageEvent again = pickRecent();
            return new Draft(Kind.DUPLICATE, again.getSubscriptionId(), again, null);
        }
        roll -= duplicates;
        if (roll >= 0 && roll < bad) {
            return badRecord(clock, roll / bad);
        }
        roll -= bad;
        if (roll >= 0 && roll < late) {
            Instant past = clock.minus(lateBy).minusMillis(random.nextLong(Math.max(1, lateBy.toMillis())));
            UsageEvent e = fresh(past, channel.subscription(random.nextInt(channel.subscriptions())));
            remember(e);
            return new Draft(Kind.LATE, e.getSubscriptionId(), e, null);
        }
        // a little disorder, as real producers have: up to 2 s behind the clock
        UsageEvent e = fresh(clock.minusMillis(random.nextInt(2000)), channel.subscription(random.nextInt(channel.subscriptions())));
        remember(e);
        return new Draft(Kind.FRESH, e.getSubscriptionId(), e, null);
    }

    private Draft badRecord(Instant clock, double which) {
        String subscription = channel.subscription(random.nextInt(channel.subscriptions()));
        if (which < 1.0 / 3) {
            byte[] garbage = new byte[8 + random.nextInt(24)];
            for (int i = 0; i < garbage.length; i++) {
                garbage[i] = (byte) random.nextInt(256);
            }
            garbage[0] = (byte) (1 + random.nextInt(255)); // never the Confluent magic byte
            return new Draft(Kind.UNDECODABLE, subscription, null, garbage);
        }
        if (which < 2.0 / 3) {
            UsageEvent e = fresh(clock, subscription);
            e.setQuantity(e.getQuantity().negate().subtract(BigDecimal.ONE)); // quantity must be >= 0
            return new Draft(Kind.INVALID, subscription, e, null);
        }
        UsageEvent e = fresh(clock, channel.prefix() + "-nobody-" + random.nextInt(1000));
        return new Draft(Kind.UNKNOWN_SUBSCRIPTION, e.getSubscriptionId(), e, null);
    }

    private UsageEvent fresh(Instant time, String subscription) {
        Meter meter = meters.get(random.nextInt(meters.size()));
        BigDecimal span = meter.max().subtract(meter.min());
        BigDecimal quantity = meter.min().add(span.multiply(BigDecimal.valueOf(random.nextDouble())))
                .setScale(meter.min().equals(meter.max()) ? 0 : 3, RoundingMode.HALF_EVEN).setScale(9);
        Map<String, String> attributes = new HashMap<>();
        attributes.put("generator", runId);
        return UsageEvent.newBuilder()
                .setEventId(runId + "-" + (sequence++))
                .setSubscriptionId(subscription)
                .setMeterId(meter.id())
                .setQuantity(quantity)
                .setEventTime(time)
                .setRegion(REGIONS.get(random.nextInt(REGIONS.size())))
                .setResourceId("res-" + random.nextInt(100))
                .setAttributes(attributes)
                .build();
    }

    private void remember(UsageEvent e) {
        recent.addLast(e);
        if (recent.size() > 1000) {
            recent.removeFirst();
        }
    }

    private UsageEvent pickRecent() {
        int skip = random.nextInt(recent.size());
        var it = recent.descendingIterator();
        UsageEvent e = it.next();
        for (int i = 0; i < skip; i++) {
            e = it.next();
        }
        return e;
    }
}
