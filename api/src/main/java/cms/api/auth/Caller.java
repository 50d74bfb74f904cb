package cms.api.auth;

import cms.avro.NodeLevel;

import java.security.Principal;
import java.util.Objects;

/** The authenticated caller: a role and, below the platform, the id of the node it acts for. */
public record Caller(Role role, String org) implements Principal {
    public Caller {
        Objects.requireNonNull(role, "role");
        if ((role == Role.PLATFORM_ADMIN) != (org == null)) {
            throw new IllegalArgumentException("org must be absent exactly for platform-admin");
        }
    }

    public static Caller platformAdmin() {
        return new Caller(Role.PLATFORM_ADMIN, null);
    }

    public boolean isPlatformAdmin() {
        return role == Role.PLATFORM_ADMIN;
    }

    /** The level of the caller's own node; null for platform-admin. */
    public NodeLevel orgLevel() {
        return role.orgLevel();
    }

    @Override
    public String getName() {
        return org == null ? role.claim() : role.claim() + ":" + org;
    }
}
