package cms.api.audit;

import cms.api.auth.Caller;
import cms.api.errors.ApiErrors;
import cms.api.hierarchy.NodeKind;
import cms.api.hierarchy.Scope;
import cms.avro.AuditRecord;
import com.codahale.metrics.annotation.Timed;
import io.dropwizard.auth.Auth;
import io.swagger.v3.oas.annotations.Operation;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * GET /v1/audit?node={kind}/{id}[&limit=50][&before=ID]: the accepted writes concerning that node
 * and everything below it, newest first, a page at a time ({@code next} is the {@code before} of
 * the next page). Anyone whose subtree holds the node reads it; {@code node=platform} (the
 * platform's users only) reads every record.
 */
@Path("/v1/audit")
@Produces(MediaType.APPLICATION_JSON)
public final class AuditResource {
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;
    private static final Pattern CURSOR = Pattern.compile("\\d{13}-[0-9a-f-]{36}");

    private final Scope scope;
    private final AuditLog log;

    public AuditResource(Scope scope, AuditLog log) {
        this.scope = scope;
        this.log = log;
    }

    @GET
    @Timed
    @Operation(operationId = "getAudit")
    public AuditView audit(@Auth Caller caller, @QueryParam("node") String node, @QueryParam("limit") Integer limit,
                                     @QueryParam("before") String before) {
        if (node == null) {
            throw ApiErrors.badRequest("node", "is required: {kind}/{id} or platform");
        }
        int n = limit == null ? DEFAULT_LIMIT : limit;
        if (n < 1 || n > MAX_LIMIT) {
            throw ApiErrors.badRequest("limit", "must be 1 to " + MAX_LIMIT);
        }
        if (before != null && !CURSOR.matcher(before).matches()) {
            throw ApiErrors.badRequest("before", "must be the next value of a previous page");
        }
        Predicate<AuditRecord> filter;
        if (node.equals("platform")) {
            if (!caller.isPlatformAdmin()) {
                throw ApiErrors.notFound("node", "platform");
            }
            filter = r -> true;
        } else {
            int slash = node.indexOf('/');
            Optional<NodeKind> kind = slash < 0 ? Optional.empty() : NodeKind.parse(node.substring(0, slash));
            if (kind.isEmpty()) {
                throw ApiErrors.badRequest("node", "must be {kind}/{id} (kind distributor, partner, tenant or subscription) or platform");
            }
            String id = node.substring(slash + 1);
            scope.requireReaches(caller, kind.get(), id);
            filter = r -> scope.isWithin(kind.get(), id, r.getLevel(), r.getNodeId());
        }
        List<AuditRecord> page = log.newestFirst(filter, before, n);
        return new AuditView(node, page.stream().map(this::view).toList(), page.size() == n ? page.get(n - 1).getAuditId() : null);
    }

    private AuditView.Entry view(AuditRecord r) {
        return new AuditView.Entry(r.getAuditId(), r.getAt().toString(), r.getUserId(), r.getMethod(), r.getPath(), r.getBody(),
                r.getBodyTruncated(), r.getLevel() == null ? "platform" : NodeKind.of(r.getLevel()).singular() + "/" + r.getNodeId(),
                new AuditView.Version(r.getTopic(), r.getVersionKey()));
    }
}
