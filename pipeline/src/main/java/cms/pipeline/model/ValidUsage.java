package cms.pipeline.model;

import cms.avro.UsageEvent;

/**
 * A usage event that decoded and passed validation, with where it came from, so any later stage
 * can still dead-letter it with the original coordinates and bytes.
 */
public class ValidUsage {
    public UsageEvent event;
    public RawRecord source;

    public ValidUsage() {}

    public ValidUsage(UsageEvent event, RawRecord source) {
        this.event = event;
        this.source = source;
    }

    @Override
    public String toString() {
        return event.getEventId() + " from " + source;
    }
}
