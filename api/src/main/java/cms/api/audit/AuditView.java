package cms.api.audit;

import java.util.List;

/** GET /v1/audit: a page of the records of a node's subtree, newest first; {@code next} is the next page's {@code before}. */
public record AuditView(String node, List<Entry> records, String next) {
    /** One accepted write: who, when, what was asked (the body as sent, text), the node and the version made. */
    public record Entry(String id, String at, String user, String method, String path, String body, boolean bodyTruncated,
                        String node, Version version) {}

    /** Where the version went. */
    public record Version(String topic, String key) {}
}
