package cms.pipeline.model;

import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.testutils.DeeplyEqualsChecker;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * Flink's own serializer contract over roll-up state values, with decimals in both forms (a long unscaled value,
 * and the bytes of a larger one) and their scales kept exactly.
 */
class SlotSumsSerializerTest extends SerializerTestBase<SlotSums> {
    SlotSumsSerializerTest() {
        super(new DeeplyEqualsChecker().withCustomCheck((a, b) -> a instanceof SlotSums && b instanceof SlotSums,
                (a, b, checker) -> same((SlotSums) a, (SlotSums) b)));
    }

    private static boolean same(SlotSums a, SlotSums b) {
        // equals, not compareTo: a scale that changed would change what the API prints
        return a.windowEnd == b.windowEnd && a.eventCount == b.eventCount && a.adjustmentCount == b.adjustmentCount
                && a.dirty == b.dirty && a.dueAt == b.dueAt && a.oldestReceivedAt == b.oldestReceivedAt
                && Objects.equals(a.quantity, b.quantity) && Objects.equals(a.amount, b.amount)
                && Objects.equals(a.partnerCommission, b.partnerCommission)
                && Objects.equals(a.distributorCommission, b.distributorCommission)
                && Objects.equals(a.adjustmentAmount, b.adjustmentAmount);
    }

    @Override
    protected TypeSerializer<SlotSums> createSerializer() {
        return SlotSumsSerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<SlotSums> getTypeClass() {
        return SlotSums.class;
    }

    private static SlotSums sums(long windowEnd, long count, String q, String amount, String pc, String dc, long adjustments, String adj,
                                 boolean dirty) {
        SlotSums s = new SlotSums(windowEnd);
        s.eventCount = count;
        s.quantity = new BigDecimal(q);
        s.amount = new BigDecimal(amount);
        s.partnerCommission = new BigDecimal(pc);
        s.distributorCommission = new BigDecimal(dc);
        s.adjustmentCount = adjustments;
        s.adjustmentAmount = new BigDecimal(adj);
        s.dirty = dirty;
        s.dueAt = dirty ? windowEnd - 1_000 : 0;
        s.oldestReceivedAt = windowEnd - 5_000;
        return s;
    }

    @Override
    protected SlotSums[] getTestData() {
        return new SlotSums[] {
                new SlotSums(),
                sums(1_767_229_200_000L, 3, "2.500000000", "4.500000000000000000", "0.450000000000000000", "0E-18", 0, "0", true),
                // beyond a long at 18 places: the byte form
                sums(1L, Long.MAX_VALUE, "123456789012345678901234.123456789", "98765432109876543210.123456789012345678",
                        "-0.000000000000000001", "1E+30", 7, "-12345678901234567890.5", false),
                sums(-1L, 0, "0.000", "-9223372036854775808", "9223372036854775807", "0.1", 1, "1E-30", true),
        };
    }
}
