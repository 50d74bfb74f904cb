package cms.api.auth;

import cms.avro.NodeLevel;
import cms.avro.UserRole;
import cms.avro.UserVersion;

import java.security.Principal;
import java.util.Objects;

/**
 * The authenticated caller, as its user stands at request time: the user's id, the level its node
 * is on ({@link Role}: the platform, a distributor, partner or tenant), that node's id (null for the
 * platform), and whether the user may write (admin) or only read (viewer).
 */
public record Caller(String user, Role role, String org, boolean admin) implements Principal {
    public Caller {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(role, "role");
        if ((role == Role.PLATFORM_ADMIN) != (org == null)) {
            throw new IllegalArgumentException("org must be absent exactly for the platform");
        }
    }

    /** The caller a user's version makes. */
    public static Caller of(UserVersion user) {
        Role role = user.getLevel() == null ? Role.PLATFORM_ADMIN : Role.of(user.getLevel());
        return new Caller(user.getUserId(), role, user.getOrgId(), user.getRole() == UserRole.ADMIN);
    }

    /** True for the platform's users (admins and viewers), whose subtree is everything. */
    public boolean isPlatformAdmin() {
        return role == Role.PLATFORM_ADMIN;
    }

    /** The level of the caller's own node; null for the platform. */
    public NodeLevel orgLevel() {
        return role.orgLevel();
    }

    /** "admin" or "viewer". */
    public String access() {
        return admin ? "admin" : "viewer";
    }

    /** The user's id: what recordedBy and the audit trail name. */
    @Override
    public String getName() {
        return user;
    }
}
