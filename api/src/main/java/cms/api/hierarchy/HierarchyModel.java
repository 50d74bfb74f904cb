package cms.api.hierarchy;

import cms.avro.CommissionPlan;
import cms.avro.HierarchyChange;
import cms.avro.NodeLevel;
import cms.avro.PriceBookVersion;
import cms.avro.UserVersion;
import cms.hierarchy.Levels;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.ToLongFunction;

/**
 * The API's read model of the reference data: every effective-dated version of every node, price
 * book and commission plan, as the reference topics hold them. Fed by the topic consumer and by
 * the API's own acknowledged writes (so a PUT is visible to the next request); both may deliver
 * the same record, and a version only replaces one with the same effectiveFrom when it was
 * recorded no earlier, which is how the compacted topic resolves the same key. Thread-safe.
 *
 * <p>Unscoped: resources never read it directly, only through {@link Scope}.
 */
public final class HierarchyModel implements Lineage {
    private record Ref(NodeLevel level, String id) {}

    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<Ref, TreeMap<Instant, HierarchyChange>> nodes = new HashMap<>();
    /** Every node that any version ever put under a parent; filtered by current parent on read. */
    private final Map<Ref, Set<Ref>> everUnder = new HashMap<>();
    private final Map<String, TreeMap<Instant, PriceBookVersion>> priceBooks = new HashMap<>();
    private final Map<String, TreeMap<Instant, CommissionPlan>> plans = new HashMap<>();
    private final Map<String, TreeMap<Instant, UserVersion>> users = new HashMap<>();
    /** Every user any version ever put on a node; filtered by the user's current node on read. */
    private final Map<Ref, Set<String>> everUsersOf = new HashMap<>();
    private final Clock clock;

    public HierarchyModel() {
        this(Clock.systemUTC());
    }

    public HierarchyModel(Clock clock) {
        this.clock = clock;
    }

    public void apply(HierarchyChange change) {
        Ref ref = new Ref(change.getLevel(), change.getId());
        lock.writeLock().lock();
        try {
            put(nodes.computeIfAbsent(ref, r -> new TreeMap<>()), change.getEffectiveFrom(), change,
                    c -> c.getRecordedAt().toEpochMilli());
            NodeLevel parentLevel = Levels.parentOf(change.getLevel());
            if (change.getParentId() != null && parentLevel != null) {
                everUnder.computeIfAbsent(new Ref(parentLevel, change.getParentId()), r -> new HashSet<>()).add(ref);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    public void apply(PriceBookVersion version) {
        lock.writeLock().lock();
        try {
            put(priceBooks.computeIfAbsent(version.getPriceBookId(), r -> new TreeMap<>()), version.getEffectiveFrom(),
                    version, v -> v.getRecordedAt().toEpochMilli());
        } finally {
            lock.writeLock().unlock();
        }
    }

    public void apply(CommissionPlan plan) {
        lock.writeLock().lock();
        try {
            put(plans.computeIfAbsent(plan.getPlanId(), r -> new TreeMap<>()), plan.getEffectiveFrom(), plan,
                    p -> p.getRecordedAt().toEpochMilli());
        } finally {
            lock.writeLock().unlock();
        }
    }

    public void apply(UserVersion user) {
        lock.writeLock().lock();
        try {
            put(users.computeIfAbsent(user.getUserId(), r -> new TreeMap<>()), user.getEffectiveFrom(), user,
                    u -> u.getRecordedAt().toEpochMilli());
            everUsersOf.computeIfAbsent(new Ref(user.getLevel(), user.getOrgId()), r -> new HashSet<>()).add(user.getUserId());
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** The user with every version; its current one is the one in effect now, or (not yet in effect) the first. */
    public Optional<User> user(String id) {
        lock.readLock().lock();
        try {
            return Optional.ofNullable(userLocked(id));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The users whose current node is this one (level null: the platform's), by id. */
    public List<User> usersOf(NodeLevel level, String orgId) {
        lock.readLock().lock();
        try {
            List<User> out = new ArrayList<>();
            for (String id : everUsersOf.getOrDefault(new Ref(level, orgId), Set.of())) {
                User user = userLocked(id);
                if (user != null && user.current().getLevel() == level && java.util.Objects.equals(user.current().getOrgId(), orgId)) {
                    out.add(user);
                }
            }
            out.sort((a, b) -> a.id().compareTo(b.id()));
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    private User userLocked(String id) {
        TreeMap<Instant, UserVersion> versions = users.get(id);
        if (versions == null) {
            return null;
        }
        Map.Entry<Instant, UserVersion> inEffect = versions.floorEntry(clock.instant());
        return new User(id, current(versions), inEffect == null ? null : inEffect.getValue(), List.copyOf(versions.values()));
    }

    public Optional<Node> node(NodeKind kind, String id) {
        lock.readLock().lock();
        try {
            return Optional.ofNullable(nodeLocked(new Ref(kind.level(), id)));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The nodes whose current parent is this node, by id. */
    public List<Node> children(NodeKind kind, String id) {
        NodeKind childKind = kind.child();
        if (childKind == null) {
            return List.of();
        }
        lock.readLock().lock();
        try {
            List<Node> out = new ArrayList<>();
            for (Ref child : everUnder.getOrDefault(new Ref(kind.level(), id), Set.of())) {
                Node node = nodeLocked(child);
                if (node != null && id.equals(node.parentId())) {
                    out.add(node);
                }
            }
            out.sort((a, b) -> a.id().compareTo(b.id()));
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public List<String> parentsEver(NodeLevel level, String id) {
        lock.readLock().lock();
        try {
            TreeMap<Instant, HierarchyChange> versions = nodes.get(new Ref(level, id));
            if (versions == null || Levels.parentOf(level) == null) {
                return List.of();
            }
            TreeSet<String> out = new TreeSet<>();
            for (HierarchyChange v : versions.values()) {
                if (v.getParentId() != null) {
                    out.add(v.getParentId());
                }
            }
            return List.copyOf(out);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public List<String> childrenEver(NodeLevel level, String id) {
        lock.readLock().lock();
        try {
            TreeSet<String> out = new TreeSet<>();
            for (Ref child : everUnder.getOrDefault(new Ref(level, id), Set.of())) {
                out.add(child.id());
            }
            return List.copyOf(out);
        } finally {
            lock.readLock().unlock();
        }
    }

    public Optional<PriceBook> priceBook(String id) {
        lock.readLock().lock();
        try {
            TreeMap<Instant, PriceBookVersion> versions = priceBooks.get(id);
            return versions == null ? Optional.empty()
                    : Optional.of(new PriceBook(id, current(versions), List.copyOf(versions.values())));
        } finally {
            lock.readLock().unlock();
        }
    }

    public Optional<Plan> plan(String id) {
        lock.readLock().lock();
        try {
            TreeMap<Instant, CommissionPlan> versions = plans.get(id);
            return versions == null ? Optional.empty()
                    : Optional.of(new Plan(id, current(versions), List.copyOf(versions.values())));
        } finally {
            lock.readLock().unlock();
        }
    }

    private Node nodeLocked(Ref ref) {
        TreeMap<Instant, HierarchyChange> versions = nodes.get(ref);
        if (versions == null) {
            return null;
        }
        return new Node(NodeKind.of(ref.level()), ref.id(), current(versions), List.copyOf(versions.values()));
    }

    /** The version in effect now; before the first takes effect, the first (so a node exists once written). */
    private <T> T current(NavigableMap<Instant, T> versions) {
        Map.Entry<Instant, T> inEffect = versions.floorEntry(clock.instant());
        return inEffect != null ? inEffect.getValue() : versions.firstEntry().getValue();
    }

    private static <T> void put(TreeMap<Instant, T> versions, Instant effectiveFrom, T value, ToLongFunction<T> recordedAt) {
        T existing = versions.get(effectiveFrom);
        if (existing == null || recordedAt.applyAsLong(value) >= recordedAt.applyAsLong(existing)) {
            versions.put(effectiveFrom, value);
        }
    }
}
