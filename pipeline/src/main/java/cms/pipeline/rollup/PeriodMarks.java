package cms.pipeline.rollup;

import cms.pipeline.model.RatedEvent;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.util.Collector;

import java.util.HashSet;
import java.util.Set;

/**
 * The billing periods usage is booked into, each once per subtask (and again after a restart): all the
 * period-status operator needs to know, instead of every rated event shuffled to the one subtask that
 * owns the period (which it then ignored but for its key). Period status is driven by the watermark and
 * a refresh timer, not by the events (see {@link PeriodFunction}); announcing a period again is harmless.
 */
public final class PeriodMarks extends RichFlatMapFunction<RatedEvent, String> {
    private static final long serialVersionUID = 1L;
    /** A handful of months at most: a period stops receiving usage once FINAL. */
    private transient Set<String> announced;

    @Override
    public void flatMap(RatedEvent e, Collector<String> out) {
        if (announced == null) {
            announced = new HashSet<>();
        }
        if (announced.add(e.bookedPeriod)) {
            out.collect(e.bookedPeriod);
        }
    }
}
