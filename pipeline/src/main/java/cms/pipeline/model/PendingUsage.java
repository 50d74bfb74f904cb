package cms.pipeline.model;

/** Usage waiting for its subscription (or its price book) to appear, until a processing-time deadline. */
public class PendingUsage {
    public ValidUsage usage;
    /** Processing time (epoch millis) at which waiting ends. */
    public long deadline;

    public PendingUsage() {}

    public PendingUsage(ValidUsage usage, long deadline) {
        this.usage = usage;
        this.deadline = deadline;
    }
}
