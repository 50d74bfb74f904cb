package cms.api.auth;

import cms.avro.NodeLevel;

import java.util.Arrays;
import java.util.Optional;

/** The levels a user's node may be on (the platform, a distributor, partner or tenant), as the API names them. */
public enum Role {
    PLATFORM_ADMIN("platform-admin", null),
    DISTRIBUTOR("distributor", NodeLevel.DISTRIBUTOR),
    PARTNER("partner", NodeLevel.PARTNER),
    TENANT("tenant", NodeLevel.TENANT);

    private final String claim;
    private final NodeLevel orgLevel;

    Role(String claim, NodeLevel orgLevel) {
        this.claim = claim;
        this.orgLevel = orgLevel;
    }

    public String claim() {
        return claim;
    }

    /** The level of the node the caller's org is; null for platform-admin, whose scope is everything. */
    public NodeLevel orgLevel() {
        return orgLevel;
    }

    /** The role of a node level's users; subscriptions have none. */
    public static Role of(NodeLevel level) {
        return Arrays.stream(values()).filter(r -> r.orgLevel == level).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no users on level " + level));
    }

    public static Optional<Role> fromClaim(String claim) {
        return Arrays.stream(values()).filter(r -> r.claim.equals(claim)).findFirst();
    }
}
