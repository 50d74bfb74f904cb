package cms.pipeline.model;

import java.math.BigDecimal;
import java.util.Arrays;

/**
 * All the rating operator keeps of one subscription, in one keyed value: the eventIds it remembers (de-duplication:
 * 64-bit fingerprints, each with the second its horizon ends) and the cumulative quantity of each (billing period,
 * meter) it rated. One entry per subscription instead of three keyed states: an event reads and writes one entry,
 * and a heap checkpoint writes the subscription's key once and its contents as one block
 * ({@link SubscriptionStateSerializer}) instead of a map entry by entry.
 *
 * <p>Fingerprints sit in two parallel arrays (12 bytes an id; a {@code HashMap<Long, Integer>} entry took about
 * 75); lookups scan them while they are few and go through an open-addressing index of positions once they are
 * many. The index is transient: rebuilt on demand after a restore, a copy or a sweep.
 */
public final class SubscriptionState {
    /** Up to this many ids a lookup scans the array; beyond it, the index. */
    static final int SCAN_LIMIT = 16;
    private static final long[] NO_LONGS = {};
    private static final int[] NO_INTS = {};

    long[] fingerprint = NO_LONGS;
    /** The unsigned epoch second at which each id's horizon ends. */
    int[] until = NO_INTS;
    int seenCount;
    /** The unsigned epoch second from which the next new id sweeps; meaningful only when {@link #sweepSet}. */
    int sweepAt;
    boolean sweepSet;

    /** Billing period of each cumulative quantity, as months since 1970-01 (period index). */
    int[] period = NO_INTS;
    String[] meter = new String[0];
    BigDecimal[] quantity = new BigDecimal[0];
    int quantityCount;

    /** Fingerprint positions + 1 by open addressing (0: empty); null until needed. */
    private transient int[] index;

    public SubscriptionState() {}

    // ---- de-duplication -------------------------------------------------------------------------------------------

    public int seenCount() {
        return seenCount;
    }

    public boolean sweepSet() {
        return sweepSet;
    }

    /** Unsigned epoch second of the next sweep; only when {@link #sweepSet()}. */
    public int sweepAt() {
        return sweepAt;
    }

    public void sweepAt(int unsignedSecond) {
        this.sweepAt = unsignedSecond;
        this.sweepSet = true;
    }

    /** The position of the fingerprint, or -1. */
    public int find(long fp) {
        int n = seenCount;
        if (n <= SCAN_LIMIT) {
            long[] f = fingerprint;
            for (int i = 0; i < n; i++) {
                if (f[i] == fp) {
                    return i;
                }
            }
            return -1;
        }
        int[] idx = indexed();
        int mask = idx.length - 1;
        for (int s = slot(fp, mask); ; s = (s + 1) & mask) {
            int p = idx[s];
            if (p == 0) {
                return -1;
            }
            if (fingerprint[p - 1] == fp) {
                return p - 1;
            }
        }
    }

    /** Unsigned epoch second at which the horizon of the id at {@code position} ends. */
    public int until(int position) {
        return until[position];
    }

    /** Remembers the fingerprint until the given unsigned second: anew, or with a new end if it is there. */
    public void remember(long fp, int untilSecond) {
        int p = find(fp);
        if (p >= 0) {
            until[p] = untilSecond;
            return;
        }
        if (seenCount == fingerprint.length) {
            int capacity = Math.max(4, seenCount * 2);
            fingerprint = Arrays.copyOf(fingerprint, capacity);
            until = Arrays.copyOf(until, capacity);
        }
        fingerprint[seenCount] = fp;
        until[seenCount] = untilSecond;
        seenCount++;
        if (index != null) {
            if (seenCount * 2 > index.length) {
                index = null;   // rebuilt larger at the next lookup
            } else {
                put(index, fp, seenCount);
            }
        }
    }

    /** Forgets every id whose horizon ended at or before the unsigned second {@code clock}, keeping the others' order. */
    public void forgetEndedBy(long clockSecond) {
        int kept = 0;
        for (int i = 0; i < seenCount; i++) {
            if (Integer.toUnsignedLong(until[i]) > clockSecond) {
                fingerprint[kept] = fingerprint[i];
                until[kept] = until[i];
                kept++;
            }
        }
        if (kept != seenCount) {
            seenCount = kept;
            index = null;
            if (kept < fingerprint.length / 4) {
                int capacity = Math.max(4, kept * 2);
                fingerprint = Arrays.copyOf(fingerprint, capacity);
                until = Arrays.copyOf(until, capacity);
            }
        }
    }

    /** Forgets every id and the sweep. */
    public void forgetAllIds() {
        fingerprint = NO_LONGS;
        until = NO_INTS;
        seenCount = 0;
        sweepSet = false;
        sweepAt = 0;
        index = null;
    }

    private int[] indexed() {
        if (index == null) {
            int size = Integer.highestOneBit(Math.max(SCAN_LIMIT, seenCount) * 4 - 1) << 1;   // load at most 1/2
            int[] idx = new int[size];
            for (int i = 0; i < seenCount; i++) {
                put(idx, fingerprint[i], i + 1);
            }
            index = idx;
        }
        return index;
    }

    private static void put(int[] idx, long fp, int positionPlusOne) {
        int mask = idx.length - 1;
        int s = slot(fp, mask);
        while (idx[s] != 0) {
            s = (s + 1) & mask;
        }
        idx[s] = positionPlusOne;
    }

    /** Fingerprints are SHA-256 bits: any of them is as good a hash as another. */
    private static int slot(long fp, int mask) {
        return (int) (fp ^ (fp >>> 32)) & mask;
    }

    // ---- cumulative quantities ------------------------------------------------------------------------------------

    /** The cumulative quantity of the meter in the period (months since 1970-01), or null. */
    public BigDecimal quantity(int periodIndex, String meterId) {
        int i = quantityPosition(periodIndex, meterId);
        return i < 0 ? null : quantity[i];
    }

    /** True when the subscription holds no quantity of the period yet. */
    public boolean hasNoQuantityOf(int periodIndex) {
        for (int i = 0; i < quantityCount; i++) {
            if (period[i] == periodIndex) {
                return false;
            }
        }
        return true;
    }

    public void quantity(int periodIndex, String meterId, BigDecimal value) {
        int i = quantityPosition(periodIndex, meterId);
        if (i >= 0) {
            quantity[i] = value;
            return;
        }
        if (quantityCount == period.length) {
            int capacity = Math.max(2, quantityCount * 2);
            period = Arrays.copyOf(period, capacity);
            meter = Arrays.copyOf(meter, capacity);
            quantity = Arrays.copyOf(quantity, capacity);
        }
        period[quantityCount] = periodIndex;
        meter[quantityCount] = meterId;
        quantity[quantityCount] = value;
        quantityCount++;
    }

    public int quantityCount() {
        return quantityCount;
    }

    /** Drops the quantities of every period before {@code periodIndex}. */
    public void forgetQuantitiesBefore(int periodIndex) {
        int kept = 0;
        for (int i = 0; i < quantityCount; i++) {
            if (period[i] >= periodIndex) {
                period[kept] = period[i];
                meter[kept] = meter[i];
                quantity[kept] = quantity[i];
                kept++;
            }
        }
        for (int i = kept; i < quantityCount; i++) {
            meter[i] = null;
            quantity[i] = null;
        }
        quantityCount = kept;
    }

    private int quantityPosition(int periodIndex, String meterId) {
        for (int i = 0; i < quantityCount; i++) {
            if (period[i] == periodIndex && meter[i].equals(meterId)) {
                return i;
            }
        }
        return -1;
    }

    /** True when nothing is left to keep. */
    public boolean isEmpty() {
        return seenCount == 0 && !sweepSet && quantityCount == 0;
    }

    /** A deep copy (the heap backend copies a value it must change while a checkpoint still writes it). */
    public SubscriptionState copy() {
        SubscriptionState c = new SubscriptionState();
        c.fingerprint = Arrays.copyOf(fingerprint, Math.max(seenCount, 0));
        c.until = Arrays.copyOf(until, seenCount);
        c.seenCount = seenCount;
        c.sweepAt = sweepAt;
        c.sweepSet = sweepSet;
        c.period = Arrays.copyOf(period, quantityCount);
        c.meter = Arrays.copyOf(meter, quantityCount);
        c.quantity = Arrays.copyOf(quantity, quantityCount);
        c.quantityCount = quantityCount;
        return c;
    }

    /** By content (the decimals with their scales), for tests and serializer checks; the index is not content. */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SubscriptionState other)) {
            return false;
        }
        return seenCount == other.seenCount && sweepSet == other.sweepSet && sweepAt == other.sweepAt
                && quantityCount == other.quantityCount
                && Arrays.equals(fingerprint, 0, seenCount, other.fingerprint, 0, seenCount)
                && Arrays.equals(until, 0, seenCount, other.until, 0, seenCount)
                && Arrays.equals(period, 0, quantityCount, other.period, 0, quantityCount)
                && Arrays.equals(meter, 0, quantityCount, other.meter, 0, quantityCount)
                && Arrays.equals(quantity, 0, quantityCount, other.quantity, 0, quantityCount);
    }

    @Override
    public int hashCode() {
        return 31 * seenCount + quantityCount;
    }

    @Override
    public String toString() {
        return "SubscriptionState{" + seenCount + " ids, " + quantityCount + " quantities, sweep " + (sweepSet ? Integer.toUnsignedString(sweepAt) : "none") + "}";
    }
}
