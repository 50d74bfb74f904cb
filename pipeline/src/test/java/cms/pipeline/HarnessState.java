package cms.pipeline;

import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;

/** What keyed state an operator under test still holds. */
public final class HarnessState {
    /** How many keys hold the named keyed state. */
    public static long keysWith(AbstractStreamOperatorTestHarness<?> harness, String stateName) {
        return harness.getOperator().getKeyedStateBackend().getKeys(stateName, VoidNamespace.INSTANCE).count();
    }

    private HarnessState() {}
}
