package cms.api.query;

import java.time.Instant;

/** A row of the periods table. */
public record PeriodRow(String period, String status, Instant watermark, Instant finalAt) {
    public boolean isFinal() {
        return RollupRow.FINAL.equals(status);
    }
}
