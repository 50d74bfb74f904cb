package cms.pipeline.model;

import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

import java.math.BigDecimal;

/**
 * Flink's own serializer contract over roll-up state values (FamilyWindows.equals compares the decimals with their
 * scales: a scale that changed would change what the API prints), with sums in both forms (a long, and a decimal
 * that left it), dirty and clean rows, several children, meters and currencies.
 */
class FamilyWindowsSerializerTest extends SerializerTestBase<FamilyWindows> {
    @Override
    protected TypeSerializer<FamilyWindows> createSerializer() {
        return FamilyWindowsSerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<FamilyWindows> getTypeClass() {
        return FamilyWindows.class;
    }

    private static FamilyWindows.Contribution of(String q, String amount, String pc, String dc, boolean late) {
        return new FamilyWindows.Contribution().set(new BigDecimal(q), new BigDecimal(amount), new BigDecimal(pc), new BigDecimal(dc), late);
    }

    static FamilyWindows sample(int children, boolean large) {
        FamilyWindows f = new FamilyWindows();
        for (int c = 0; c < children; c++) {
            int child = f.childIndex("s-" + c + "-ü");
            int meter = f.meterIndex(c % 2 == 0 ? "compute.vcpu.hours" : "storage.gb.hours");
            int cur = f.currencyIndex(c % 3 == 0 ? "EUR" : "JPY");
            for (int g = 0; g < 3; g++) {
                int r = f.append(child, meter, cur, g, 1_767_225_600_000L + g, 1_767_229_200_000L + g);
                f.add(r, of("2.500000000", "4.500000000000000000", "0.450000000000000000", "0E-18", c % 2 == 1), 1_000L + c);
                if (large) {
                    f.add(r, of("123456789012345678901234.123456789", "98765432109876543210.123456789012345678", "-0.000000000000000001",
                            "1E+30", true), 2_000L);
                }
                if (g == 1) {
                    f.clean(r);
                }
            }
        }
        f.dueAt(1_767_229_200_500L);
        return f;
    }

    @Override
    protected FamilyWindows[] getTestData() {
        return new FamilyWindows[] {new FamilyWindows(), sample(1, false), sample(20, false), sample(3, true)};
    }
}
