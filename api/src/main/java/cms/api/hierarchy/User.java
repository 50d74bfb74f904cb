package cms.api.hierarchy;

import cms.avro.UserStatus;
import cms.avro.UserVersion;

import java.util.List;

/**
 * A user as the read model holds it: the version to show ({@code current}: in effect now, or the
 * first before any is), the version in effect now ({@code inEffect}, null before the first starts:
 * such a user cannot sign in yet), and every version, oldest first.
 */
public record User(String id, UserVersion current, UserVersion inEffect, List<UserVersion> versions) {
    /** True when the user may sign in now: a version is in effect and it is ACTIVE. */
    public boolean active() {
        return inEffect != null && inEffect.getStatus() == UserStatus.ACTIVE;
    }
}
