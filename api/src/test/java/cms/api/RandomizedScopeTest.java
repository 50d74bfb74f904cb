package cms.api;

import cms.api.auth.Caller;
import cms.api.auth.Role;
import cms.api.hierarchy.Node;
import cms.api.hierarchy.NodeKind;
import cms.api.query.PeriodRow;
import cms.avro.HierarchyChange;
import cms.avro.PlanOwner;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.dropwizard.testing.junit5.ResourceExtension;
import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random hierarchies, random callers, random reads and writes. An oracle that knows only the
 * parent of every node (kept apart from the API's own model and Scope) says what each caller's
 * subtree is; every answer is then checked: reads outside the subtree answer exactly as a missing
 * node; a write is accepted exactly when the rules allow it; nothing outside the subtree ever
 * changes; and no answer names a node or plan outside the subtree that the request did not name.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class RandomizedScopeTest {
    private static final TestApi API = new TestApi(false);
    static final ResourceExtension RESOURCES = API.resources;
    private static final int SEEDS = 12;
    private static final int OPERATIONS = 120;
    private static final String FROM = "2026-01-02T00:00:00Z";

    /** The oracle: level and id to parent id (null for distributors), and plan owners. */
    private final Map<NodeKind, Map<String, String>> parents = new EnumMap<>(NodeKind.class);
    private final Map<String, String> planOwner = new HashMap<>();
    private final List<String> failures = new ArrayList<>();

    @Test
    void noAnswerRevealsOrChangesAnythingOutsideTheCallersSubtree() {
        API.store.putPeriod(new PeriodRow("2026-10", "FINAL", Instant.parse("2026-11-02T00:00:00Z"), null));
        for (NodeKind k : NodeKind.values()) {
            parents.put(k, new HashMap<>());
        }
        int operations = 0;
        for (int seed = 1; seed <= SEEDS; seed++) {
            Random random = new Random(seed);
            String prefix = "r" + seed + "-";
            buildHierarchy(random, prefix);
            for (int i = 0; i < OPERATIONS; i++) {
                operate(random, prefix, seed + "/" + i);
                operations++;
            }
        }
        assertThat(operations).isEqualTo(SEEDS * OPERATIONS);
        assertThat(failures).isEmpty();
    }

    private void buildHierarchy(Random random, String prefix) {
        API.model.apply(Seed.priceBook(prefix + "pb", "EUR"));
        addPlan(prefix + "platform", PlanOwner.PLATFORM, null);
        int distributors = 2 + random.nextInt(2);
        for (int d = 0; d < distributors; d++) {
            String did = prefix + "d" + d;
            add(NodeKind.DISTRIBUTOR, did, null, null);
            addPlan(did + "-plan", PlanOwner.DISTRIBUTOR, did);
            for (int p = 0, pn = 1 + random.nextInt(3); p < pn; p++) {
                String pid = did + "p" + p;
                add(NodeKind.PARTNER, pid, did, null);
                addPlan(pid + "-plan", PlanOwner.PARTNER, pid);
                for (int t = 0, tn = 1 + random.nextInt(3); t < tn; t++) {
                    String tid = pid + "t" + t;
                    add(NodeKind.TENANT, tid, pid, null);
                    for (int s = 0, sn = 1 + random.nextInt(2); s < sn; s++) {
                        add(NodeKind.SUBSCRIPTION, tid + "s" + s, tid, prefix + "pb");
                    }
                }
            }
        }
    }

    private void add(NodeKind kind, String id, String parent, String priceBook) {
        API.model.apply(Seed.node(kind.level(), id, parent, priceBook));
        parents.get(kind).put(id, parent);
    }

    private void addPlan(String id, PlanOwner owner, String ownerId) {
        API.model.apply(Seed.plan(id, owner, ownerId));
        planOwner.put(id, owner == PlanOwner.PLATFORM ? null : owner.name() + ":" + ownerId);
    }

    // ------------------------------------------------------------------ the oracle

    private boolean inScope(Caller caller, NodeKind kind, String id) {
        if (!parents.get(kind).containsKey(id)) {
            return false;
        }
        if (caller.isPlatformAdmin()) {
            return true;
        }
        NodeKind own = NodeKind.of(caller.orgLevel());
        NodeKind k = kind;
        String at = id;
        while (k != null && at != null) {
            if (k == own) {
                return at.equals(caller.org());
            }
            at = parents.get(k).get(at);
            k = k.parent();
        }
        return false;
    }

    private boolean seesPlan(Caller caller, String planId) {
        if (!planOwner.containsKey(planId)) {
            return false;
        }
        String owner = planOwner.get(planId);
        if (owner == null) {
            return caller.role() != Role.TENANT;
        }
        String[] o = owner.split(":");
        return inScope(caller, NodeKind.valueOf(o[0]), o[1]);
    }

    // ------------------------------------------------------------------ random operations

    private Caller randomCaller(Random random) {
        int r = random.nextInt(10);
        if (r == 0) {
            return Caller.platformAdmin();
        }
        if (r == 1) {
            return new Caller(Role.values()[1 + random.nextInt(3)], "ghost"); // a token for a node that does not exist: 401
        }
        NodeKind kind = List.of(NodeKind.DISTRIBUTOR, NodeKind.PARTNER, NodeKind.TENANT).get(random.nextInt(3));
        Role role = Role.values()[kind.ordinal() + 1];
        return new Caller(role, pick(random, parents.get(kind).keySet()));
    }

    private static String pick(Random random, Set<String> ids) {
        List<String> list = new ArrayList<>(ids);
        list.sort(null);
        return list.get(random.nextInt(list.size()));
    }

    private String randomId(Random random, NodeKind kind, String prefix) {
        return random.nextInt(5) == 0 ? prefix + "missing-" + random.nextInt(3) : pick(random, parents.get(kind).keySet());
    }

    private void operate(Random random, String prefix, String label) {
        Caller caller = randomCaller(random);
        NodeKind kind = NodeKind.values()[random.nextInt(4)];
        if ("ghost".equals(caller.org())) {
            String id = randomId(random, kind, prefix);
            String path = "/v1/" + kind.plural() + "/" + id;
            Response r = random.nextBoolean() ? API.get(path, caller) : API.put(path, caller, Map.of());
            String body = r.readEntity(String.class);
            check(r.getStatus() == 401, label, caller, path, r.getStatus() + " " + body);
            checkNoForeignNames(caller, body, Set.of(), label);
            return;
        }
        Map<NodeKind, Map<String, List<HierarchyChange>>> before = outsideSnapshot(caller);
        int op = random.nextInt(8);
        switch (op) {
            case 0, 1 -> {
                String id = randomId(random, kind, prefix);
                read(caller, "/v1/" + kind.plural() + "/" + id, kind, id, label, Set.of(id));
            }
            case 2 -> {
                String id = randomId(random, kind, prefix);
                read(caller, "/v1/" + kind.plural() + "/" + id + "/children", kind, id, label, Set.of(id));
            }
            case 3 -> {
                String id = randomId(random, kind, prefix);
                String path = kind == NodeKind.TENANT && random.nextBoolean()
                        ? "/v1/statements/" + id + "?period=2026-10"
                        : "/v1/usage/" + kind.singular() + "/" + id + "?from=2026-10-01T00:00:00Z&to=2026-10-03T00:00:00Z&granularity=DAY";
                read(caller, path, kind, id, label, Set.of(id));
            }
            case 4 -> {
                String planId = pick(random, planOwner.keySet());
                Response r = API.get("/v1/commission-plans/" + planId, caller);
                String body = r.readEntity(String.class);
                int expected = seesPlan(caller, planId) ? 200 : 404;
                check(r.getStatus() == expected, label, caller, "GET plan " + planId, r.getStatus() + " " + body);
                checkNoForeignNames(caller, body, Set.of(planId), label);
            }
            default -> write(random, caller, kind, prefix, label);
        }
        checkOutsideUnchanged(caller, before, label);
    }

    private void read(Caller caller, String path, NodeKind kind, String id, String label, Set<String> named) {
        Response r = API.get(path, caller);
        String body = r.readEntity(String.class);
        if (inScope(caller, kind, id)) {
            check(r.getStatus() == 200, label, caller, path, r.getStatus() + " " + body);
        } else {
            // exactly what a node that never existed answers
            String missing = "{\"code\":404,\"message\":\"" + kind.singular() + " '" + id + "' not found\"}";
            check(r.getStatus() == 404 && body.equals(missing), label, caller, path, r.getStatus() + " " + body);
        }
        checkNoForeignNames(caller, body, named, label);
    }

    private void write(Random random, Caller caller, NodeKind kind, String prefix, String label) {
        boolean fresh = random.nextInt(3) == 0;
        String id = fresh ? prefix + "new-" + kind.singular() + "-" + random.nextInt(1_000_000)
                : pick(random, parents.get(kind).keySet());
        String parent = kind.parent() == null ? null : pick(random, parents.get(kind.parent()).keySet());
        Map<String, Object> body = new HashMap<>();
        body.put("effectiveFrom", FROM);
        body.put("name", "n" + random.nextInt(100));
        if (parent != null) {
            body.put(kind.parentField(), parent);
        }
        if (kind == NodeKind.SUBSCRIPTION) {
            body.put("priceBookId", prefix + "pb");
        }
        Response r = API.put("/v1/" + kind.plural() + "/" + id, caller, body);
        String answer = r.readEntity(String.class);

        boolean exists = parents.get(kind).containsKey(id);
        boolean roleMay = caller.isPlatformAdmin() || (NodeKind.of(caller.orgLevel()).isAbove(kind) && caller.role() != Role.TENANT);
        boolean allowed = roleMay
                && (!exists || inScope(caller, kind, id))
                && (parent == null || inScope(caller, kind.parent(), parent))
                && !(kind == NodeKind.SUBSCRIPTION && exists && !parents.get(kind).get(id).equals(parent));
        boolean accepted = r.getStatus() / 100 == 2;
        check(accepted == allowed, label, caller, "PUT " + kind.singular() + " " + id + " under " + parent
                + " (allowed=" + allowed + ")", r.getStatus() + " " + answer);
        if (accepted) {
            parents.get(kind).put(id, parent);
        }
        Set<String> named = new HashSet<>();
        named.add(id);
        if (parent != null) {
            named.add(parent);
        }
        checkNoForeignNames(caller, answer, named, label);
    }

    // ------------------------------------------------------------------ checks

    private Map<NodeKind, Map<String, List<HierarchyChange>>> outsideSnapshot(Caller caller) {
        Map<NodeKind, Map<String, List<HierarchyChange>>> out = new EnumMap<>(NodeKind.class);
        for (NodeKind k : NodeKind.values()) {
            Map<String, List<HierarchyChange>> m = new HashMap<>();
            for (String id : parents.get(k).keySet()) {
                if (!inScope(caller, k, id)) {
                    m.put(id, API.model.node(k, id).map(Node::versions).orElseThrow());
                }
            }
            out.put(k, m);
        }
        return out;
    }

    private void checkOutsideUnchanged(Caller caller, Map<NodeKind, Map<String, List<HierarchyChange>>> before, String label) {
        before.forEach((k, nodes) -> nodes.forEach((id, versions) -> {
            List<HierarchyChange> now = API.model.node(k, id).map(Node::versions).orElseThrow();
            check(now.equals(versions), label, caller, "outside node " + k + " " + id + " changed", now.toString());
        }));
    }

    /** No quoted id of a node or plan outside the subtree, other than those the request itself named. */
    private void checkNoForeignNames(Caller caller, String body, Set<String> named, String label) {
        for (NodeKind k : NodeKind.values()) {
            for (String id : parents.get(k).keySet()) {
                if (!named.contains(id) && !inScope(caller, k, id) && mentions(body, id)) {
                    check(false, label, caller, "answer names " + k + " " + id, body);
                }
            }
        }
        for (String planId : planOwner.keySet()) {
            if (!named.contains(planId) && !seesPlan(caller, planId) && mentions(body, planId)) {
                check(false, label, caller, "answer names plan " + planId, body);
            }
        }
        if (!caller.isPlatformAdmin() && body.contains("recordedBy")) {
            check(false, label, caller, "answer carries recordedBy", body);
        }
    }

    private static boolean mentions(String body, String id) {
        return body.contains("\"" + id + "\"") || body.contains("'" + id + "'") || body.contains(":" + id + "\"");
    }

    private void check(boolean ok, String label, Caller caller, String what, String detail) {
        if (!ok && failures.size() < 50) {
            failures.add(label + " " + caller.getName() + ": " + what + " -> " + detail);
        }
    }
}
