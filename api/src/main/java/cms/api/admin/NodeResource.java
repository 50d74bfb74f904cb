package cms.api.admin;

import cms.api.auth.Caller;
import cms.api.errors.ApiErrors;
import cms.api.errors.Problems;
import cms.api.hierarchy.Ids;
import cms.api.hierarchy.Node;
import cms.api.hierarchy.NodeKind;
import cms.api.hierarchy.ReferencePublisher;
import cms.api.hierarchy.Scope;
import cms.api.input.BoundedText;
import cms.avro.HierarchyChange;
import cms.avro.NodeStatus;
import com.codahale.metrics.annotation.Timed;
import io.dropwizard.auth.Auth;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Delegated administration of distributors, partners, tenants and subscriptions: idempotent PUTs
 * of effective-dated versions, GETs, children, and commission-plan assignment. Every access goes
 * through {@link Scope}.
 */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public final class NodeResource {
    private static final String KINDS = "{kind: distributors|partners|tenants|subscriptions}";
    static final int MAX_NAME = 200;

    private final Scope scope;
    private final ReferencePublisher publisher;
    private final Clock clock;

    public NodeResource(Scope scope, ReferencePublisher publisher, Clock clock) {
        this.scope = scope;
        this.publisher = publisher;
        this.clock = clock;
    }

    /** What a PUT body says, whatever the kind. */
    private record Write(String name, NodeStatus status, Instant effectiveFrom, String parentId, String priceBookId,
                         Map<String, String> attributes) {}

    @PUT
    @Timed
    @Path("distributors/{id}")
    @ApiResponse(responseCode = "200", description = "the id existed", content = @Content(schema = @Schema(implementation = NodeView.class)))
    @ApiResponse(responseCode = "201", description = "the id was new", content = @Content(schema = @Schema(implementation = NodeView.class)))
    public Response putDistributor(@Auth Caller caller, @PathParam("id") String id, NodeBodies.Distributor body) {
        scope.requireMayAdminister(caller, NodeKind.DISTRIBUTOR);
        requireBody(body);
        return put(caller, NodeKind.DISTRIBUTOR, id,
                new Write(body.name(), body.status(), body.effectiveFrom(), null, null, body.attributes()));
    }

    @PUT
    @Timed
    @Path("partners/{id}")
    @ApiResponse(responseCode = "200", description = "the id existed", content = @Content(schema = @Schema(implementation = NodeView.class)))
    @ApiResponse(responseCode = "201", description = "the id was new", content = @Content(schema = @Schema(implementation = NodeView.class)))
    public Response putPartner(@Auth Caller caller, @PathParam("id") String id, NodeBodies.Partner body) {
        scope.requireMayAdminister(caller, NodeKind.PARTNER);
        requireBody(body);
        return put(caller, NodeKind.PARTNER, id,
                new Write(body.name(), body.status(), body.effectiveFrom(), body.distributorId(), null, body.attributes()));
    }

    @PUT
    @Timed
    @Path("tenants/{id}")
    @ApiResponse(responseCode = "200", description = "the id existed", content = @Content(schema = @Schema(implementation = NodeView.class)))
    @ApiResponse(responseCode = "201", description = "the id was new", content = @Content(schema = @Schema(implementation = NodeView.class)))
    public Response putTenant(@Auth Caller caller, @PathParam("id") String id, NodeBodies.Tenant body) {
        scope.requireMayAdminister(caller, NodeKind.TENANT);
        requireBody(body);
        return put(caller, NodeKind.TENANT, id,
                new Write(body.name(), body.status(), body.effectiveFrom(), body.partnerId(), null, body.attributes()));
    }

    @PUT
    @Timed
    @Path("subscriptions/{id}")
    @ApiResponse(responseCode = "200", description = "the id existed", content = @Content(schema = @Schema(implementation = NodeView.class)))
    @ApiResponse(responseCode = "201", description = "the id was new", content = @Content(schema = @Schema(implementation = NodeView.class)))
    public Response putSubscription(@Auth Caller caller, @PathParam("id") String id, NodeBodies.Subscription body) {
        scope.requireMayAdminister(caller, NodeKind.SUBSCRIPTION);
        requireBody(body);
        return put(caller, NodeKind.SUBSCRIPTION, id, new Write(body.name(), body.status(), body.effectiveFrom(),
                body.tenantId(), body.priceBookId(), body.attributes()));
    }

    @GET
    @Timed
    @Path(KINDS + "/{id}")
    @Operation(operationId = "getNode")
    public NodeView get(@Auth Caller caller, @PathParam("kind") String kind, @PathParam("id") String id) {
        return Views.node(scope.node(caller, kind(kind), id), true, scope, caller);
    }

    @GET
    @Timed
    @Path(KINDS + "/{id}/children")
    public ChildrenView children(@Auth Caller caller, @PathParam("kind") String kind, @PathParam("id") String id) {
        NodeKind k = kind(kind);
        Node node = scope.node(caller, k, id);
        return Views.children(node, scope.children(caller, k, id), scope, caller);
    }

    @PUT
    @Timed
    @Path("{kind: distributors|partners}/{id}/commission-plan")
    public NodeView assignPlan(@Auth Caller caller, @PathParam("kind") String kind, @PathParam("id") String id,
                                          NodeBodies.PlanAssignment body) {
        NodeKind k = kind(kind);
        Node node = scope.node(caller, k, id);
        scope.requireMayAssignPlan(caller, node);
        requireBody(body);
        Problems problems = new Problems();
        boolean inherit = Boolean.TRUE.equals(body.inherit());
        if (inherit == (body.planId() != null)) {
            problems.add("planId", "give either planId or \"inherit\": true");
        } else if (!inherit && !Ids.isValid(body.planId())) {
            problems.add("planId", "must match " + Ids.PATTERN);
        }
        if (body.effectiveFrom() == null) {
            problems.add("effectiveFrom", "is required");
        }
        problems.throwIfAny();
        String planId = inherit ? null : scope.planForAssignment(caller, body.planId(), node, "planId").id();

        HierarchyChange base = versionAt(node, body.effectiveFrom());
        HierarchyChange change = HierarchyChange.newBuilder(base)
                .setCommissionPlanId(planId)
                .setEffectiveFrom(body.effectiveFrom())
                .setRecordedAt(clock.instant())
                .setRecordedBy(caller.getName())
                .build();
        if (!alreadyRecorded(node, change)) {
            publisher.publish(change);
        }
        return Views.node(scope.node(caller, k, id), true, scope, caller);
    }

    private Response put(Caller caller, NodeKind kind, String id, Write w) {
        if (!Ids.isValid(id)) {
            throw ApiErrors.badRequest("id", "must match " + Ids.PATTERN);
        }
        validate(kind, w);
        Optional<Node> existing = scope.existingForWrite(caller, kind, id);
        if (kind.parent() != null) {
            Node parent = scope.parentForWrite(caller, kind.parent(), w.parentId(), kind.parentField());
            if (parent.current().getStatus() == NodeStatus.DELETED && w.status() != NodeStatus.DELETED) {
                throw ApiErrors.unprocessable(kind.parentField() + ": " + kind.parent().singular() + " '"
                        + parent.id() + "' is deleted");
            }
            // the pipeline resolves lineage as of event time: a child must not start before its parent does
            Instant parentFrom = parent.versions().get(0).getEffectiveFrom();
            if (parentFrom.isAfter(w.effectiveFrom())) {
                throw ApiErrors.unprocessable("effectiveFrom: " + kind.parent().singular() + " '" + parent.id()
                        + "' exists only from " + parentFrom);
            }
        }
        if (kind == NodeKind.SUBSCRIPTION) {
            if (existing.isPresent() && !existing.get().parentId().equals(w.parentId())) {
                throw ApiErrors.unprocessable("tenantId: a subscription's tenant is fixed once created (it is '"
                        + existing.get().parentId() + "')");
            }
            scope.priceBookReference(caller, w.priceBookId(), "priceBookId");
        }
        // the node PUT leaves the plan assignment as it stands; that has its own endpoint and permissions
        String planId = existing.map(n -> versionAt(n, w.effectiveFrom()).getCommissionPlanId()).orElse(null);
        HierarchyChange change = HierarchyChange.newBuilder()
                .setLevel(kind.level())
                .setId(id)
                .setParentId(w.parentId())
                .setName(w.name())
                .setStatus(w.status() == null ? NodeStatus.ACTIVE : w.status())
                .setEffectiveFrom(w.effectiveFrom())
                .setPriceBookId(w.priceBookId())
                .setCommissionPlanId(planId)
                .setAttributes(w.attributes() == null ? Map.of() : new TreeMap<>(w.attributes()))
                .setRecordedAt(clock.instant())
                .setRecordedBy(caller.getName())
                .build();
        if (existing.isEmpty() || !alreadyRecorded(existing.get(), change)) {
            publisher.publish(change);
        }
        NodeView view = Views.node(scope.node(caller, kind, id), true, scope, caller);
        return Response.status(existing.isPresent() ? Response.Status.OK : Response.Status.CREATED).entity(view).build();
    }

    private static void validate(NodeKind kind, Write w) {
        Problems problems = new Problems();
        if (w.effectiveFrom() == null) {
            problems.add("effectiveFrom", "is required");
        }
        if (kind.parentField() != null) {
            if (w.parentId() == null) {
                problems.add(kind.parentField(), "is required");
            } else if (!Ids.isValid(w.parentId())) {
                problems.add(kind.parentField(), "must match " + Ids.PATTERN);
            }
        }
        if (kind == NodeKind.SUBSCRIPTION) {
            if (w.priceBookId() == null) {
                problems.add("priceBookId", "is required");
            } else if (!Ids.isValid(w.priceBookId())) {
                problems.add("priceBookId", "must match " + Ids.PATTERN);
            }
        }
        BoundedText.check("name", w.name(), MAX_NAME, problems);
        BoundedText.attributes("attributes", w.attributes(), problems);
        problems.throwIfAny();
    }

    /** The node's version in effect at {@code at}; before its first version, the first. */
    private static HierarchyChange versionAt(Node node, Instant at) {
        HierarchyChange found = node.versions().get(0);
        for (HierarchyChange v : node.versions()) {
            if (!v.getEffectiveFrom().isAfter(at)) {
                found = v;
            }
        }
        return found;
    }

    /** True when the node already holds this very version (same effectiveFrom, same content): a repeated PUT. */
    private static boolean alreadyRecorded(Node node, HierarchyChange change) {
        for (HierarchyChange v : node.versions()) {
            if (v.getEffectiveFrom().equals(change.getEffectiveFrom())
                    && v.getLevel() == change.getLevel()
                    && Objects.equals(v.getParentId(), change.getParentId())
                    && Objects.equals(v.getName(), change.getName())
                    && v.getStatus() == change.getStatus()
                    && Objects.equals(v.getPriceBookId(), change.getPriceBookId())
                    && Objects.equals(v.getCommissionPlanId(), change.getCommissionPlanId())
                    && Objects.equals(v.getAttributes(), change.getAttributes())) {
                return true;
            }
        }
        return false;
    }

    static void requireBody(Object body) {
        if (body == null) {
            throw ApiErrors.badRequest("body", "a JSON object is required");
        }
    }

    private static NodeKind kind(String kind) {
        return NodeKind.parse(kind).orElseThrow(); // the path template admits only the four kinds
    }
}
