package cms.pipeline;

import cms.pipeline.model.PipelineState;
import cms.pipeline.model.SubscriptionState;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;

import java.util.function.ToLongFunction;

/** What keyed state an operator under test still holds. */
public final class HarnessState {
    /** How many keys hold the named keyed state. */
    public static long keysWith(AbstractStreamOperatorTestHarness<?> harness, String stateName) {
        return harness.getOperator().getKeyedStateBackend().getKeys(stateName, VoidNamespace.INSTANCE).count();
    }

    /** How many entries the named keyed MapState holds over all keys. */
    @SuppressWarnings("unchecked")
    public static long entries(AbstractStreamOperatorTestHarness<?> harness, MapStateDescriptor<?, ?> descriptor) throws Exception {
        long[] n = {0};
        KeyedStateBackend<Object> backend = (KeyedStateBackend<Object>) harness.getOperator().getKeyedStateBackend();
        backend.applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, (MapStateDescriptor<Object, Object>) descriptor,
                (key, state) -> {
                    for (Object ignored : ((MapState<Object, Object>) state).keys()) {
                        n[0]++;
                    }
                });
        return n[0];
    }

    /** The rating operator's subscriptions: how many hold something by {@code count} (> 0), or the sum of it. */
    @SuppressWarnings("unchecked")
    private static long[] subscriptions(AbstractStreamOperatorTestHarness<?> harness, ToLongFunction<SubscriptionState> count) throws Exception {
        long[] keysAndSum = {0, 0};
        KeyedStateBackend<Object> backend = (KeyedStateBackend<Object>) harness.getOperator().getKeyedStateBackend();
        backend.applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, PipelineState.subscriptionState(),
                (key, state) -> {
                    SubscriptionState s = ((ValueState<SubscriptionState>) state).value();
                    long n = s == null ? 0 : count.applyAsLong(s);
                    keysAndSum[0] += n > 0 ? 1 : 0;
                    keysAndSum[1] += n;
                });
        return keysAndSum;
    }

    /** Subscriptions that remember at least one eventId (de-duplication). */
    public static long subscriptionsRemembering(AbstractStreamOperatorTestHarness<?> harness) throws Exception {
        return subscriptions(harness, SubscriptionState::seenCount)[0];
    }

    /** Subscriptions with a sweep of their eventIds due. */
    public static long subscriptionsSweeping(AbstractStreamOperatorTestHarness<?> harness) throws Exception {
        return subscriptions(harness, s -> s.sweepSet() ? 1 : 0)[0];
    }

    /** EventIds remembered over all subscriptions. */
    public static long rememberedIds(AbstractStreamOperatorTestHarness<?> harness) throws Exception {
        return subscriptions(harness, SubscriptionState::seenCount)[1];
    }

    /** Subscriptions holding a cumulative quantity. */
    public static long subscriptionsWithQuantities(AbstractStreamOperatorTestHarness<?> harness) throws Exception {
        return subscriptions(harness, SubscriptionState::quantityCount)[0];
    }

    private HarnessState() {}
}
