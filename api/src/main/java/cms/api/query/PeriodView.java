package cms.api.query;

/** GET /v1/periods/{YYYY-MM}: OPEN or FINAL; watermark and finalAt null until the pipeline wrote them. */
public record PeriodView(String period, String status, String watermark, String finalAt) {}
