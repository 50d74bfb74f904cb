package cms.api.auth;

import cms.avro.NodeLevel;

import java.util.Arrays;
import java.util.Optional;

/** The roles of the JWT {@code role} claim, and the hierarchy level a role's {@code org} names. */
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

    public static Optional<Role> fromClaim(String claim) {
        return Arrays.stream(values()).filter(r -> r.claim.equals(claim)).findFirst();
    }
}
