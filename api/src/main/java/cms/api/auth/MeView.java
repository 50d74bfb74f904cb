package cms.api.auth;

import com.fasterxml.jackson.annotation.JsonInclude;

/** GET /v1/me: the caller's role and org, and the root of what it may reach. */
public record MeView(String role, String org, ScopeView scope) {
    /** {@code {"all": true}} for platform-admin, else the level and id of the caller's own node. */
    public record ScopeView(boolean all,
                            @JsonInclude(JsonInclude.Include.NON_NULL) String level,
                            @JsonInclude(JsonInclude.Include.NON_NULL) String id) {}
}
