package cms.api.hierarchy;

import cms.avro.NodeLevel;

import java.util.Locale;
import java.util.Optional;

/** The four node levels as the API names them: path segment, singular, and the parent field. */
public enum NodeKind {
    DISTRIBUTOR(NodeLevel.DISTRIBUTOR, "distributors", "distributor", null),
    PARTNER(NodeLevel.PARTNER, "partners", "partner", "distributorId"),
    TENANT(NodeLevel.TENANT, "tenants", "tenant", "partnerId"),
    SUBSCRIPTION(NodeLevel.SUBSCRIPTION, "subscriptions", "subscription", "tenantId");

    private final NodeLevel level;
    private final String plural;
    private final String singular;
    private final String parentField;

    NodeKind(NodeLevel level, String plural, String singular, String parentField) {
        this.level = level;
        this.plural = plural;
        this.singular = singular;
        this.parentField = parentField;
    }

    public NodeLevel level() {
        return level;
    }

    public String plural() {
        return plural;
    }

    public String singular() {
        return singular;
    }

    /** The body field naming the parent; null for distributors. */
    public String parentField() {
        return parentField;
    }

    public NodeKind parent() {
        return this == DISTRIBUTOR ? null : values()[ordinal() - 1];
    }

    public NodeKind child() {
        return this == SUBSCRIPTION ? null : values()[ordinal() + 1];
    }

    /** True when this level is strictly above {@code other}. */
    public boolean isAbove(NodeKind other) {
        return ordinal() < other.ordinal();
    }

    public static NodeKind of(NodeLevel level) {
        return values()[level.ordinal()];
    }

    /** "partner", "partners" or "PARTNER". */
    public static Optional<NodeKind> parse(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String n = name.toLowerCase(Locale.ROOT);
        for (NodeKind k : values()) {
            if (k.plural.equals(n) || k.singular.equals(n)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }
}
