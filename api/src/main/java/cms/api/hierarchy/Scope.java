package cms.api.hierarchy;

import cms.api.auth.Caller;
import cms.api.auth.Role;
import cms.api.errors.ApiErrors;
import cms.avro.NodeLevel;
import cms.avro.NodeStatus;
import cms.avro.PlanOwner;

import java.util.List;
import java.util.Optional;

/**
 * The one place that decides what a caller may reach and change. Every resource reads and writes
 * reference data through here and never through the model directly.
 *
 * <p>A caller's subtree is its own node and everything below it (all of it for platform-admin).
 * Anything outside answers exactly as something that does not exist: the same 404 with the same
 * message, or, when a request body names it, the same 422 as an unknown id. Permission to change
 * something the caller can see but not change is a 403, decided from the role and the hierarchy
 * alone.
 */
public final class Scope {
    private final HierarchyModel model;

    public Scope(HierarchyModel model) {
        this.model = model;
    }

    // ---------------------------------------------------------------- writers

    /**
     * 403 unless the caller is an admin: viewers read only. Every PUT asks this first; it depends
     * on the user's role alone, so it reveals nothing about the hierarchy.
     */
    public void requireWriter(Caller caller) {
        if (!caller.admin()) {
            throw ApiErrors.forbidden("a viewer may only read");
        }
    }

    // ---------------------------------------------------------------- nodes

    /** The node, if the caller's subtree holds it; else 404. */
    public Node node(Caller caller, NodeKind kind, String id) {
        return find(caller, kind, id).orElseThrow(() -> ApiErrors.notFound(kind.singular(), id));
    }

    /** True when the caller's subtree holds this node (for rendering references, never for access). */
    public boolean sees(Caller caller, NodeKind kind, String id) {
        return id != null && find(caller, kind, id).isPresent();
    }

    /** True when the caller may read this plan (for rendering references, never for access). */
    public boolean seesPlan(Caller caller, String planId) {
        return planId != null && model.plan(planId).filter(p -> seesPlan(caller, p.owner(), p.ownerId())).isPresent();
    }

    /** The node's current children; 404 unless the caller's subtree holds the node (then it holds them too). */
    public List<Node> children(Caller caller, NodeKind kind, String id) {
        node(caller, kind, id);
        return model.children(kind, id);
    }

    /** For a PUT: the node if it exists and the caller reaches it, empty if it does not exist, 404 if out of reach. */
    public Optional<Node> existingForWrite(Caller caller, NodeKind kind, String id) {
        Optional<Node> node = model.node(kind, id);
        if (node.isPresent() && !reaches(caller, node.get())) {
            throw ApiErrors.notFound(kind.singular(), id);
        }
        return node;
    }

    /** The parent a body names: 422 naming the field when it does not exist or is out of reach. */
    public Node parentForWrite(Caller caller, NodeKind parentKind, String parentId, String field) {
        return find(caller, parentKind, parentId).orElseThrow(() -> ApiErrors.unprocessable(
                field + ": " + parentKind.singular() + " '" + parentId + "' not found"));
    }

    /**
     * 403 unless the caller is an admin whose level may ever administer nodes of this kind:
     * the platform everything; a distributor its partners, tenants and subscriptions; a partner its
     * tenants and subscriptions; a tenant its existing subscriptions, in part. Depends on the user
     * alone, so it reveals nothing about the hierarchy.
     */
    public void requireMayAdminister(Caller caller, NodeKind kind) {
        requireWriter(caller);
        if (caller.isPlatformAdmin()) {
            return;
        }
        NodeKind own = NodeKind.of(caller.orgLevel());
        // a tenant's subscriptions are the tenant's to rename, label and suspend (requireTenantMayChange)
        if (!own.isAbove(kind) || (caller.role() == Role.TENANT && kind != NodeKind.SUBSCRIPTION)) {
            throw ApiErrors.forbidden(caller.role().claim() + " may not create or change " + kind.plural());
        }
    }

    /**
     * 403 unless the caller may assign a plan to this (reachable) node: a distributor's plan is the
     * platform's call; a partner's belongs to the platform, its distributor or the partner itself.
     */
    public void requireMayAssignPlan(Caller caller, Node node) {
        requireWriter(caller);
        boolean allowed = switch (node.kind()) {
            case DISTRIBUTOR -> caller.isPlatformAdmin();
            case PARTNER -> caller.isPlatformAdmin() || caller.role() == Role.DISTRIBUTOR || caller.role() == Role.PARTNER;
            default -> false;
        };
        if (!allowed) {
            throw ApiErrors.forbidden(caller.role().claim() + " may not assign a commission plan to "
                    + node.kind().singular() + " '" + node.id() + "'");
        }
    }

    /**
     * A tenant's admins change their own subscriptions' name, attributes and status (ACTIVE,
     * SUSPENDED) only: 403 for a new subscription, another price book, or DELETED. The tenant itself was checked by the caller's reach.
     */
    public void requireTenantMayChange(Caller caller, Optional<Node> existing, String priceBookId, NodeStatus status) {
        if (caller.role() != Role.TENANT) {
            return;
        }
        if (existing.isEmpty()) {
            throw ApiErrors.forbidden("tenant may not create subscriptions");
        }
        if (!existing.get().current().getPriceBookId().equals(priceBookId)) {
            throw ApiErrors.forbidden("tenant may not change a subscription's price book");
        }
        if (status == NodeStatus.DELETED) {
            throw ApiErrors.forbidden("tenant may set a subscription ACTIVE or SUSPENDED only");
        }
    }

    // ---------------------------------------------------------------- users

    /** The user, if the caller's subtree holds the user's node; else 404. */
    public User user(Caller caller, String id) {
        return model.user(id).filter(u -> reachesUserNode(caller, u.current().getLevel(), u.current().getOrgId()))
                .orElseThrow(() -> ApiErrors.notFound("user", id));
    }

    /** The users whose node is this one; 404 unless the caller's subtree holds the node. */
    public List<User> usersOf(Caller caller, NodeKind kind, String id) {
        node(caller, kind, id);
        return model.usersOf(kind.level(), id);
    }

    /** The platform's own users: only the platform's callers see them. */
    public List<User> platformUsers(Caller caller) {
        if (!caller.isPlatformAdmin()) {
            throw ApiErrors.notFound("node", "platform");
        }
        return model.usersOf(null, null);
    }

    /** For a PUT of a user: the user if it exists and the caller reaches its node, empty if none, 404 if out of reach. */
    public Optional<User> userForWrite(Caller caller, String id) {
        Optional<User> user = model.user(id);
        if (user.isPresent() && !reachesUserNode(caller, user.get().current().getLevel(), user.get().current().getOrgId())) {
            throw ApiErrors.notFound("user", id);
        }
        return user;
    }

    /**
     * The node a user PUT puts the user on: the platform only for the platform's callers (403 for
     * the others, decided by the role alone), else a node in the caller's subtree (422 naming the
     * field when unknown or out of reach, as for a parent).
     */
    public void requireUserNodeForWrite(Caller caller, NodeLevel level, String orgId, String field) {
        if (level == null) {
            if (!caller.isPlatformAdmin()) {
                throw ApiErrors.forbidden(caller.role().claim() + " may not administer the platform's users");
            }
            return;
        }
        parentForWrite(caller, NodeKind.of(level), orgId, field);
    }

    private boolean reachesUserNode(Caller caller, NodeLevel level, String orgId) {
        if (level == null) {
            return caller.isPlatformAdmin();
        }
        return find(caller, NodeKind.of(level), orgId).isPresent();
    }

    /** True when {@code node} is the node (kind, id) or below it in the current hierarchy (for the audit trail). */
    public boolean isWithin(NodeKind kind, String id, NodeLevel level, String nodeId) {
        if (level == null) {
            return false;
        }
        return model.node(NodeKind.of(level), nodeId).filter(n -> within(kind, id, n)).isPresent();
    }

    /** The node (kind, id), if the caller reaches it; else 404. */
    public void requireReaches(Caller caller, NodeKind kind, String id) {
        node(caller, kind, id);
    }

    // ---------------------------------------------------------------- price books

    /**
     * A price book the caller may read; else 404. Price books are the platform's catalogue:
     * distributors and partners read it (they create subscriptions from it); a tenant reads only
     * the books its own subscriptions use.
     */
    public PriceBook priceBook(Caller caller, String id) {
        return model.priceBook(id).filter(book -> seesPriceBook(caller, book))
                .orElseThrow(() -> ApiErrors.notFound("price book", id));
    }

    /** A price book a body names: 422 naming the field when unknown or unreadable to the caller. */
    public PriceBook priceBookReference(Caller caller, String id, String field) {
        return model.priceBook(id).filter(book -> seesPriceBook(caller, book))
                .orElseThrow(() -> ApiErrors.unprocessable(field + ": price book '" + id + "' not found"));
    }

    /** For a PUT of a price book version: only platform-admin (403 otherwise); the book if it exists. */
    public Optional<PriceBook> priceBookForWrite(Caller caller, String id) {
        requireWriter(caller);
        if (!caller.isPlatformAdmin()) {
            throw ApiErrors.forbidden(caller.role().claim() + " may not create or change price books");
        }
        return model.priceBook(id);
    }

    // ---------------------------------------------------------------- commission plans

    /** A plan the caller may read; else 404. */
    public Plan plan(Caller caller, String id) {
        return model.plan(id).filter(plan -> seesPlan(caller, plan.owner(), plan.ownerId()))
                .orElseThrow(() -> ApiErrors.notFound("commission plan", id));
    }

    /** For a PUT of a plan version: the plan if it exists and the caller reaches it, empty if none, 404 if out of reach. */
    public Optional<Plan> planForWrite(Caller caller, String id) {
        requireWriter(caller);
        if (caller.role() == Role.TENANT) {
            throw ApiErrors.forbidden("tenant may not create or change commission plans");
        }
        Optional<Plan> plan = model.plan(id);
        if (plan.isPresent() && !seesPlan(caller, plan.get().owner(), plan.get().ownerId())) {
            throw ApiErrors.notFound("commission plan", id);
        }
        return plan;
    }

    /**
     * 403 unless the caller may write a plan with this owner: platform-admin any; a distributor or
     * a partner only a plan it owns itself.
     */
    public void requireMayOwnPlan(Caller caller, PlanOwner owner, String ownerId) {
        boolean allowed = caller.isPlatformAdmin()
                || (caller.role() == Role.DISTRIBUTOR && owner == PlanOwner.DISTRIBUTOR && caller.org().equals(ownerId))
                || (caller.role() == Role.PARTNER && owner == PlanOwner.PARTNER && caller.org().equals(ownerId));
        if (!allowed) {
            throw ApiErrors.forbidden(caller.role().claim() + " may only write commission plans it owns");
        }
    }

    /** The node that owns a plan, which must exist in the caller's reach: 422 naming the field otherwise. */
    public Node planOwnerForWrite(Caller caller, PlanOwner owner, String ownerId, String field) {
        NodeKind kind = owner == PlanOwner.DISTRIBUTOR ? NodeKind.DISTRIBUTOR : NodeKind.PARTNER;
        return parentForWrite(caller, kind, ownerId, field);
    }

    /**
     * A plan to assign to {@code assignee}: it must be readable to the caller and belong to the
     * platform or to the assignee's own chain (the partner itself or its distributor), else 422
     * naming the field; so one partner's plan never becomes another's.
     */
    public Plan planForAssignment(Caller caller, String planId, Node assignee, String field) {
        Plan plan = model.plan(planId).filter(p -> seesPlan(caller, p.owner(), p.ownerId()))
                .orElseThrow(() -> ApiErrors.unprocessable(field + ": commission plan '" + planId + "' not found"));
        boolean onChain = switch (plan.owner()) {
            case PLATFORM -> true;
            case DISTRIBUTOR -> plan.ownerId().equals(assignee.kind() == NodeKind.DISTRIBUTOR ? assignee.id() : assignee.parentId());
            case PARTNER -> assignee.kind() == NodeKind.PARTNER && plan.ownerId().equals(assignee.id());
        };
        if (!onChain) {
            throw ApiErrors.unprocessable(field + ": commission plan '" + planId + "' belongs to "
                    + plan.owner().name().toLowerCase() + " '" + plan.ownerId() + "' and cannot be assigned to "
                    + assignee.kind().singular() + " '" + assignee.id() + "'");
        }
        return plan;
    }

    // ---------------------------------------------------------------- the rule

    private Optional<Node> find(Caller caller, NodeKind kind, String id) {
        return model.node(kind, id).filter(node -> reaches(caller, node));
    }

    /** True when the caller's own node is the node or one of its current ancestors. */
    private boolean reaches(Caller caller, Node node) {
        return caller.isPlatformAdmin() || within(NodeKind.of(caller.orgLevel()), caller.org(), node);
    }

    /** True when the node (own, ownId) is {@code node} or one of its current ancestors. */
    private boolean within(NodeKind own, String ownId, Node node) {
        Node at = node;
        while (at != null && !at.kind().isAbove(own)) {
            if (at.kind() == own) {
                return at.id().equals(ownId);
            }
            String parentId = at.parentId();
            at = parentId == null || at.parentKind() == null ? null : model.node(at.parentKind(), parentId).orElse(null);
        }
        return false;
    }

    private boolean seesPriceBook(Caller caller, PriceBook book) {
        if (caller.role() != Role.TENANT) {
            return true;
        }
        return model.children(NodeKind.TENANT, caller.org()).stream()
                .anyMatch(s -> book.id().equals(s.current().getPriceBookId()));
    }

    private boolean seesPlan(Caller caller, PlanOwner owner, String ownerId) {
        return switch (owner) {
            // the platform's frameworks are the catalogue distributors and partners choose from
            case PLATFORM -> caller.role() != Role.TENANT;
            case DISTRIBUTOR -> find(caller, NodeKind.DISTRIBUTOR, ownerId).isPresent();
            case PARTNER -> find(caller, NodeKind.PARTNER, ownerId).isPresent();
        };
    }
}
