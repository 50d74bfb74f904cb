package cms.pipeline.model;

import org.apache.flink.api.java.functions.KeySelector;

/** The key selectors of the job's shuffles. */
public final class Keys {
    public static final class Subscription implements KeySelector<ValidUsage, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(ValidUsage u) {
            return u.event.getSubscriptionId();
        }
    }

    public static final class Partner implements KeySelector<RatedEvent, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(RatedEvent e) {
            return e.partnerId;
        }
    }

    public static final class Distributor implements KeySelector<RatedEvent, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(RatedEvent e) {
            return e.distributorId;
        }
    }

    /** A billing period's own name (YYYY-MM), as PeriodMarks (rollup) announces it. */
    public static final class Period implements KeySelector<String, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(String period) {
            return period;
        }
    }

    private Keys() {}
}
