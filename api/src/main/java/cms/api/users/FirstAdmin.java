package cms.api.users;

import cms.avro.UserRole;
import cms.avro.UserStatus;
import cms.avro.UserVersion;

import java.time.Instant;

/**
 * The platform admin a fresh system starts with (auth.firstAdmin), so it can be administered
 * before any user was written. Applied to the read model at start, never published: a version
 * from the users topic (which is recorded later) replaces it, so the first admin can be renamed
 * or disabled like anyone else.
 */
public final class FirstAdmin {
    public static UserVersion version(String id) {
        return UserVersion.newBuilder()
                .setUserId(id).setLevel(null).setOrgId(null).setRole(UserRole.ADMIN)
                .setName("first platform admin (configuration)").setEmail(null).setStatus(UserStatus.ACTIVE)
                .setEffectiveFrom(Instant.EPOCH).setRecordedAt(Instant.EPOCH).setRecordedBy("configuration")
                .build();
    }

    private FirstAdmin() {}
}
