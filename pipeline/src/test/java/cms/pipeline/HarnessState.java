package cms.pipeline;

import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;

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

    private HarnessState() {}
}
