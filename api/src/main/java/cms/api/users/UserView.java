package cms.api.users;

import cms.api.hierarchy.NodeKind;
import cms.api.hierarchy.User;
import cms.avro.UserVersion;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;

import java.util.List;
import java.util.Locale;

/**
 * A user as GET and PUT /v1/users answer it: the version to show (in effect now, or the first
 * before any is), whether it may sign in now, and every version, oldest first (left out in lists).
 */
public record UserView(String id, String level, String orgId, String role, String name, String email, String status,
                       String effectiveFrom, String recordedAt, String recordedBy, boolean signInAllowed,
                       @JsonInclude(Include.NON_NULL) List<Version> versions) {

    /** One effective-dated version of a user. */
    public record Version(String level, String orgId, String role, String name, String email, String status,
                          String effectiveFrom, String recordedAt, String recordedBy) {
        static Version of(UserVersion v) {
            return new Version(v.getLevel() == null ? "platform" : NodeKind.of(v.getLevel()).singular(), v.getOrgId(),
                    v.getRole().name().toLowerCase(Locale.ROOT), v.getName(), v.getEmail(), v.getStatus().name(),
                    v.getEffectiveFrom().toString(), v.getRecordedAt().toString(), v.getRecordedBy());
        }
    }

    /** The users of one node (kind "platform" for the platform's). */
    public record ListView(String kind, @JsonInclude(Include.NON_NULL) String id, List<UserView> users) {}

    static UserView of(User user, boolean withVersions) {
        Version c = Version.of(user.current());
        return new UserView(user.id(), c.level(), c.orgId(), c.role(), c.name(), c.email(), c.status(), c.effectiveFrom(),
                c.recordedAt(), c.recordedBy(), user.active(),
                withVersions ? user.versions().stream().map(Version::of).toList() : null);
    }
}
