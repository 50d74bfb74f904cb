package cms.pipeline.model;

import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

import java.math.BigDecimal;

/** Flink's own serializer contract over the rating operator's subscription values: empty, few ids, many (indexed), large decimals. */
class SubscriptionStateSerializerTest extends SerializerTestBase<SubscriptionState> {
    @Override
    protected TypeSerializer<SubscriptionState> createSerializer() {
        return SubscriptionStateSerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<SubscriptionState> getTypeClass() {
        return SubscriptionState.class;
    }

    static SubscriptionState sample(int ids, int periods) {
        SubscriptionState s = new SubscriptionState();
        for (int i = 0; i < ids; i++) {
            s.remember(0x9E3779B97F4A7C15L * (i + 1), (int) (4_000_000_000L + i));   // seconds beyond 2^31: unsigned
        }
        if (ids > 0) {
            s.sweepAt((int) 4_100_000_000L);
        }
        for (int p = 0; p < periods; p++) {
            s.quantity(680 + p, "compute.vcpu.hours", new BigDecimal("12.500000000"));
            s.quantity(680 + p, "storage-ü", new BigDecimal("123456789012345678901234567.8"));
        }
        return s;
    }

    @Override
    protected SubscriptionState[] getTestData() {
        return new SubscriptionState[] {new SubscriptionState(), sample(1, 0), sample(3, 1), sample(200, 2), sample(0, 3)};
    }
}
