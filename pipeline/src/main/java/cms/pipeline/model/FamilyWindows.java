package cms.pipeline.model;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Every OPEN window row of one {@link FamilyKey family part}, column by column: a row is a member (child), a
 * granularity, a window start, a meter and a currency, with its counts and five sums. The roll-up operator keeps
 * one of these per family part instead of one state entry per row, so an event touches four entries (not twelve),
 * a checkpoint writes a family's ids once and its rows as primitives, and a copy-on-write copies arrays.
 *
 * <p>Sums are checked fixed point: an unscaled long and a scale per row, added exactly with
 * {@link Math#addExact}/{@link Math#multiplyExact}; a sum that would overflow (or needs a scale beyond 18 places
 * more) continues as a BigDecimal from its exact value. The scale of a sum is the largest of its addends' and 0,
 * exactly as {@code BigDecimal.ZERO.add(a).add(b)...} gives, so the values written are the same decimals.
 *
 * <p>Ids are kept in dictionaries per part (children, meters, currencies), compacted when rows are removed.
 * Transient indexes (by row key, by child id) are rebuilt on demand after a copy or a restore.
 */
public final class FamilyWindows {
    public static final int QUANTITY = 0;
    public static final int AMOUNT = 1;
    public static final int PARTNER_COMMISSION = 2;
    public static final int DISTRIBUTOR_COMMISSION = 3;
    public static final int ADJUSTMENT_AMOUNT = 4;
    public static final int SUMS = 5;

    private static final long[] POW10 = new long[19];
    /** Up to this many rows (or children) a scan beats an index. */
    private static final int LINEAR = 12;

    static {
        POW10[0] = 1;
        for (int i = 1; i < POW10.length; i++) {
            POW10[i] = POW10[i - 1] * 10;
        }
    }

    /**
     * One event's values as the sums take them, converted once per event (not once per row): reused by the
     * operator, so set every field through {@link #set}.
     */
    public static final class Contribution {
        final BigDecimal[] value = new BigDecimal[SUMS];
        final long[] unscaled = new long[SUMS];
        final int[] scale = new int[SUMS];
        final boolean[] fits = new boolean[SUMS];
        boolean late;

        /** Sets the event's quantity, amount and commissions; a late adjustment adds its amount to the adjustments. */
        public Contribution set(BigDecimal quantity, BigDecimal amount, BigDecimal partnerCommission, BigDecimal distributorCommission,
                                boolean lateAdjustment) {
            put(QUANTITY, quantity);
            put(AMOUNT, amount);
            put(PARTNER_COMMISSION, partnerCommission);
            put(DISTRIBUTOR_COMMISSION, distributorCommission);
            // a late adjustment adds its amount: the amount's conversion, not a second one
            value[ADJUSTMENT_AMOUNT] = value[AMOUNT];
            unscaled[ADJUSTMENT_AMOUNT] = unscaled[AMOUNT];
            scale[ADJUSTMENT_AMOUNT] = scale[AMOUNT];
            fits[ADJUSTMENT_AMOUNT] = fits[AMOUNT];
            late = lateAdjustment;
            return this;
        }

        private void put(int i, BigDecimal v) {
            value[i] = Objects.requireNonNull(v);
            // precision <= 18: the unscaled value is below 10^18 in magnitude, so a long holds it
            fits[i] = v.precision() <= 18 && Math.abs(v.scale()) <= 18;
            if (fits[i]) {
                unscaled[i] = v.unscaledValue().longValue();
                scale[i] = v.scale();
            }
        }
    }

    // dictionaries
    String[] children = new String[2];
    int childCount;
    String[] meters = new String[2];
    int meterCount;
    String[] currencies = new String[1];
    int currencyCount;

    // rows, column by column
    int size;
    int[] child = new int[2];
    int[] meter = new int[2];
    int[] currency = new int[2];
    byte[] granularity = new byte[2];
    long[] windowStart = new long[2];
    long[] windowEnd = new long[2];
    long[] eventCount = new long[2];
    long[] adjustmentCount = new long[2];
    boolean[] dirty = new boolean[2];
    long[] oldestReceivedAt = new long[2];
    long[][] unscaled = new long[SUMS][2];
    int[][] scale = new int[SUMS][2];
    /** Per sum, null until a row of it overflowed the long form; then that row's exact value (null for the others). */
    BigDecimal[][] big = new BigDecimal[SUMS][];

    /** Rows changed since last written. */
    int dirtyRows;
    /** When (processing time) the dirty rows are due to be written: the part's next tick. */
    long dueAt;

    private transient int[] rowIndex;
    private transient Map<String, Integer> childIndex;

    public int size() {
        return size;
    }

    public int dirtyRows() {
        return dirtyRows;
    }

    public long dueAt() {
        return dueAt;
    }

    /** Marks the part due at {@code dueAt}; its dirty rows are written then. */
    public void dueAt(long dueAt) {
        this.dueAt = dueAt;
    }

    public String childId(int row) {
        return children[child[row]];
    }

    public String meterId(int row) {
        return meters[meter[row]];
    }

    public String currency(int row) {
        return currencies[currency[row]];
    }

    public int granularity(int row) {
        return granularity[row];
    }

    public long windowStart(int row) {
        return windowStart[row];
    }

    public long windowEnd(int row) {
        return windowEnd[row];
    }

    public long eventCount(int row) {
        return eventCount[row];
    }

    public long adjustmentCount(int row) {
        return adjustmentCount[row];
    }

    public boolean dirty(int row) {
        return dirty[row];
    }

    public long oldestReceivedAt(int row) {
        return oldestReceivedAt[row];
    }

    /** The exact value of sum {@code i} of a row. */
    public BigDecimal sum(int row, int i) {
        BigDecimal[] b = big[i];
        if (b != null && b[row] != null) {
            return b[row];
        }
        return BigDecimal.valueOf(unscaled[i][row], scale[i][row]);
    }

    /** The dictionary index of a child id, added if new. */
    public int childIndex(String id) {
        if (childCount <= LINEAR) {
            int i = scan(children, childCount, id);
            if (i >= 0) {
                return i;
            }
        } else {
            if (childIndex == null) {
                childIndex = new HashMap<>(childCount * 2);
                for (int i = 0; i < childCount; i++) {
                    childIndex.put(children[i], i);
                }
            }
            Integer i = childIndex.get(id);
            if (i != null) {
                return i;
            }
        }
        if (childCount == children.length) {
            children = Arrays.copyOf(children, childCount * 2);
        }
        children[childCount] = id;
        if (childIndex != null) {
            childIndex.put(id, childCount);
        }
        return childCount++;
    }

    /** The index of {@code id} among the first {@code count} ids of a dictionary, or -1. */
    private static int scan(String[] ids, int count, String id) {
        for (int i = 0; i < count; i++) {
            if (ids[i].equals(id)) {
                return i;
            }
        }
        return -1;
    }

    /** The dictionary index of a meter id, added if new. */
    public int meterIndex(String id) {
        int i = scan(meters, meterCount, id);
        if (i >= 0) {
            return i;
        }
        if (meterCount == meters.length) {
            meters = Arrays.copyOf(meters, meterCount * 2);
        }
        meters[meterCount] = id;
        return meterCount++;
    }

    /** The dictionary index of a currency, added if new. */
    public int currencyIndex(String code) {
        int i = scan(currencies, currencyCount, code);
        if (i >= 0) {
            return i;
        }
        if (currencyCount == currencies.length) {
            currencies = Arrays.copyOf(currencies, currencyCount * 2);
        }
        currencies[currencyCount] = code;
        return currencyCount++;
    }

    /** The row of (child, meter, currency, granularity, window start), by dictionary indexes; -1 if there is none. */
    public int find(int c, int m, int cur, int g, long start) {
        if (size <= LINEAR) {
            for (int r = 0; r < size; r++) {
                if (windowStart[r] == start && child[r] == c && meter[r] == m && granularity[r] == g && currency[r] == cur) {
                    return r;
                }
            }
            return -1;
        }
        if (rowIndex == null) {
            rebuildRowIndex();
        }
        int mask = rowIndex.length - 1;
        for (int p = hash(c, m, cur, g, start) & mask; ; p = (p + 1) & mask) {
            int v = rowIndex[p];
            if (v == 0) {
                return -1;
            }
            int r = v - 1;
            if (windowStart[r] == start && child[r] == c && meter[r] == m && granularity[r] == g && currency[r] == cur) {
                return r;
            }
        }
    }

    /** Appends an empty row (no events, zero sums, clean) and answers it. */
    public int append(int c, int m, int cur, int g, long start, long end) {
        if (size == child.length) {
            grow(size * 2);
        }
        int r = size++;
        child[r] = c;
        meter[r] = m;
        currency[r] = cur;
        granularity[r] = (byte) g;
        windowStart[r] = start;
        windowEnd[r] = end;
        eventCount[r] = 0;
        adjustmentCount[r] = 0;
        dirty[r] = false;
        oldestReceivedAt[r] = 0;
        for (int i = 0; i < SUMS; i++) {
            unscaled[i][r] = 0;
            scale[i][r] = 0;
            if (big[i] != null) {
                big[i][r] = null;
            }
        }
        if (rowIndex != null) {
            if (size * 2 > rowIndex.length) {
                rebuildRowIndex();
            } else {
                insert(r);
            }
        }
        return r;
    }

    /**
     * Adds one event to a row; a row whose OPEN values are written ({@code writtenOpen}) is marked dirty (answering
     * true if it was clean), remembering when the oldest usage not yet written arrived.
     */
    public boolean add(int r, Contribution c, long receivedAt, boolean writtenOpen) {
        eventCount[r]++;
        for (int i = 0; i < ADJUSTMENT_AMOUNT; i++) {
            addTo(r, i, c);
        }
        if (c.late) {
            adjustmentCount[r]++;
            addTo(r, ADJUSTMENT_AMOUNT, c);
        }
        if (!writtenOpen || dirty[r]) {
            return false;
        }
        dirty[r] = true;
        oldestReceivedAt[r] = receivedAt;
        dirtyRows++;
        return true;
    }

    private void addTo(int r, int i, Contribution c) {
        BigDecimal[] b = big[i];
        if (b != null && b[r] != null) {
            b[r] = b[r].add(c.value[i]);
            return;
        }
        if (c.fits[i]) {
            int rs = scale[i][r];
            int es = c.scale[i];
            long ru = unscaled[i][r];
            long eu = c.unscaled[i];
            try {
                if (es > rs) {
                    ru = Math.multiplyExact(ru, pow10(es - rs));
                    rs = es;
                } else if (es < rs) {
                    eu = Math.multiplyExact(eu, pow10(rs - es));
                }
                unscaled[i][r] = Math.addExact(ru, eu);
                scale[i][r] = rs;
                return;
            } catch (ArithmeticException beyondLong) {
                // continues exactly as a BigDecimal below
            }
        }
        BigDecimal exact = BigDecimal.valueOf(unscaled[i][r], scale[i][r]).add(c.value[i]);
        if (b == null) {
            b = new BigDecimal[child.length];
            big[i] = b;
        }
        b[r] = exact;
    }

    private static long pow10(int n) {
        if (n >= POW10.length) {
            throw new ArithmeticException("scale difference " + n);
        }
        return POW10[n];
    }

    /** Marks a row written. */
    public void clean(int r) {
        if (dirty[r]) {
            dirty[r] = false;
            oldestReceivedAt[r] = 0;
            dirtyRows--;
        }
    }

    /**
     * Removes the rows whose window ends at or before {@code endedBy}, handing each to {@code removed} first (with
     * this part still holding it), and compacts the rows and dictionaries.
     */
    public void removeEnded(long endedBy, RowConsumer removed) throws Exception {
        int kept = 0;
        for (int r = 0; r < size; r++) {
            if (windowEnd[r] <= endedBy) {
                removed.accept(this, r);
                if (dirty[r]) {
                    dirtyRows--;
                }
                continue;
            }
            if (kept != r) {
                move(r, kept);
            }
            kept++;
        }
        if (kept == size) {
            return;
        }
        size = kept;
        rowIndex = null;
        compactDictionaries();
    }

    /** Something done with one row of a part. */
    @FunctionalInterface
    public interface RowConsumer {
        void accept(FamilyWindows part, int row) throws Exception;
    }

    private void move(int from, int to) {
        child[to] = child[from];
        meter[to] = meter[from];
        currency[to] = currency[from];
        granularity[to] = granularity[from];
        windowStart[to] = windowStart[from];
        windowEnd[to] = windowEnd[from];
        eventCount[to] = eventCount[from];
        adjustmentCount[to] = adjustmentCount[from];
        dirty[to] = dirty[from];
        oldestReceivedAt[to] = oldestReceivedAt[from];
        for (int i = 0; i < SUMS; i++) {
            unscaled[i][to] = unscaled[i][from];
            scale[i][to] = scale[i][from];
            if (big[i] != null) {
                big[i][to] = big[i][from];
                big[i][from] = null;
            }
        }
    }

    /** Drops the ids no row refers to any more (a member that stopped using, a meter no longer used). */
    private void compactDictionaries() {
        childCount = compact(children, childCount, child);
        meterCount = compact(meters, meterCount, meter);
        currencyCount = compact(currencies, currencyCount, currency);
        childIndex = null;
    }

    private int compact(String[] dictionary, int count, int[] column) {
        int[] remap = new int[count];
        Arrays.fill(remap, -1);
        for (int r = 0; r < size; r++) {
            remap[column[r]] = 0;
        }
        int next = 0;
        for (int i = 0; i < count; i++) {
            if (remap[i] == 0) {
                dictionary[next] = dictionary[i];
                remap[i] = next++;
            }
        }
        Arrays.fill(dictionary, next, count, null);
        for (int r = 0; r < size; r++) {
            column[r] = remap[column[r]];
        }
        return next;
    }

    private void grow(int capacity) {
        child = Arrays.copyOf(child, capacity);
        meter = Arrays.copyOf(meter, capacity);
        currency = Arrays.copyOf(currency, capacity);
        granularity = Arrays.copyOf(granularity, capacity);
        windowStart = Arrays.copyOf(windowStart, capacity);
        windowEnd = Arrays.copyOf(windowEnd, capacity);
        eventCount = Arrays.copyOf(eventCount, capacity);
        adjustmentCount = Arrays.copyOf(adjustmentCount, capacity);
        dirty = Arrays.copyOf(dirty, capacity);
        oldestReceivedAt = Arrays.copyOf(oldestReceivedAt, capacity);
        for (int i = 0; i < SUMS; i++) {
            unscaled[i] = Arrays.copyOf(unscaled[i], capacity);
            scale[i] = Arrays.copyOf(scale[i], capacity);
            if (big[i] != null) {
                big[i] = Arrays.copyOf(big[i], capacity);
            }
        }
    }

    private static int hash(int c, int m, int cur, int g, long start) {
        long h = start * 0x9E3779B97F4A7C15L + ((long) c << 24 ^ (long) m << 8 ^ (long) cur << 2 ^ g);
        h ^= h >>> 31;
        h *= 0xBF58476D1CE4E5B9L;
        return (int) (h ^ h >>> 29);
    }

    private void rebuildRowIndex() {
        rowIndex = new int[Integer.highestOneBit(Math.max(16, size * 4 - 1))];
        for (int r = 0; r < size; r++) {
            insert(r);
        }
    }

    private void insert(int r) {
        int mask = rowIndex.length - 1;
        int p = hash(child[r], meter[r], currency[r], granularity[r], windowStart[r]) & mask;
        while (rowIndex[p] != 0) {
            p = (p + 1) & mask;
        }
        rowIndex[p] = r + 1;
    }

    /** A deep copy (the heap backend's copy-on-write while a snapshot is written); indexes are rebuilt on demand. */
    public FamilyWindows copy() {
        FamilyWindows to = new FamilyWindows();
        to.children = Arrays.copyOf(children, Math.max(1, childCount));
        to.childCount = childCount;
        to.meters = Arrays.copyOf(meters, Math.max(1, meterCount));
        to.meterCount = meterCount;
        to.currencies = Arrays.copyOf(currencies, Math.max(1, currencyCount));
        to.currencyCount = currencyCount;
        to.size = size;
        // the original's capacity: a copy made by a checkpoint's copy-on-write goes on growing where the original was
        int capacity = child.length;
        to.child = Arrays.copyOf(child, capacity);
        to.meter = Arrays.copyOf(meter, capacity);
        to.currency = Arrays.copyOf(currency, capacity);
        to.granularity = Arrays.copyOf(granularity, capacity);
        to.windowStart = Arrays.copyOf(windowStart, capacity);
        to.windowEnd = Arrays.copyOf(windowEnd, capacity);
        to.eventCount = Arrays.copyOf(eventCount, capacity);
        to.adjustmentCount = Arrays.copyOf(adjustmentCount, capacity);
        to.dirty = Arrays.copyOf(dirty, capacity);
        to.oldestReceivedAt = Arrays.copyOf(oldestReceivedAt, capacity);
        for (int i = 0; i < SUMS; i++) {
            to.unscaled[i] = Arrays.copyOf(unscaled[i], capacity);
            to.scale[i] = Arrays.copyOf(scale[i], capacity);
            to.big[i] = big[i] == null ? null : Arrays.copyOf(big[i], capacity);
        }
        to.dirtyRows = dirtyRows;
        to.dueAt = dueAt;
        return to;
    }

    /** Equal rows in the same order, equal dictionaries' ids, and equal sums (as decimals, scale included). */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof FamilyWindows f) || f.size != size || f.dirtyRows != dirtyRows || f.dueAt != dueAt) {
            return false;
        }
        for (int r = 0; r < size; r++) {
            if (!childId(r).equals(f.childId(r)) || !meterId(r).equals(f.meterId(r)) || !currency(r).equals(f.currency(r))
                    || granularity[r] != f.granularity[r] || windowStart[r] != f.windowStart[r] || windowEnd[r] != f.windowEnd[r]
                    || eventCount[r] != f.eventCount[r] || adjustmentCount[r] != f.adjustmentCount[r] || dirty[r] != f.dirty[r]
                    || oldestReceivedAt[r] != f.oldestReceivedAt[r]) {
                return false;
            }
            for (int i = 0; i < SUMS; i++) {
                if (!sum(r, i).equals(f.sum(r, i))) {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return 31 * size + Long.hashCode(dueAt);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("FamilyWindows[").append(size).append(" rows, ").append(dirtyRows).append(" dirty, due ")
                .append(dueAt);
        for (int r = 0; r < size; r++) {
            s.append("; ").append(childId(r)).append('|').append(granularity[r]).append('|').append(windowStart[r]).append('|')
                    .append(meterId(r)).append('|').append(currency(r)).append(" n=").append(eventCount[r]).append(" q=")
                    .append(sum(r, QUANTITY)).append(" a=").append(sum(r, AMOUNT));
        }
        return s.append(']').toString();
    }
}
