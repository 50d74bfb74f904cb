package cms.api.auth;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * GET /v1/me: the caller's user, its role (admin or viewer), the level and id of its node (level
 * platform and org null for the platform's users), and the root of what it may reach.
 */
public record MeView(String user, String role, String level, String org, ScopeView scope) {
    /** {@code {"all": true}} for the platform's users, else the level and id of the caller's own node. */
    public record ScopeView(boolean all,
                            @JsonInclude(JsonInclude.Include.NON_NULL) String level,
                            @JsonInclude(JsonInclude.Include.NON_NULL) String id) {}
}
