package cms.pipeline.model;

/** One write to the periods table. */
public class PeriodRow {
    public String period;
    /** OPEN or FINAL. */
    public String status;
    /** The pipeline's event-time watermark, epoch millis. */
    public long watermark;
    /** The watermark at which the period became FINAL (epoch millis), or null while OPEN. */
    public Long finalAt;
    /** Cassandra write timestamp (USING TIMESTAMP), microseconds: grows with the watermark. */
    public long writeTimestamp;

    public PeriodRow() {}

    public PeriodRow(String period, String status, long watermark, Long finalAt, long writeTimestamp) {
        this.period = period;
        this.status = status;
        this.watermark = watermark;
        this.finalAt = finalAt;
        this.writeTimestamp = writeTimestamp;
    }

    @Override
    public String toString() {
        return period + " " + status + " wm=" + watermark + " ts=" + writeTimestamp;
    }
}
