package cms.api.auth;

import com.codahale.metrics.annotation.Timed;
import io.dropwizard.auth.Auth;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.LinkedHashMap;
import java.util.Map;

/** GET /v1/me: the user the token names, its role, and the root of what it may reach. */
@Path("/v1/me")
@Produces(MediaType.APPLICATION_JSON)
public final class MeResource {
    @GET
    @Timed
    public Map<String, Object> me(@Auth Caller caller) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("user", caller.user());
        out.put("role", caller.access());
        out.put("level", caller.isPlatformAdmin() ? "platform" : caller.role().claim());
        out.put("org", caller.org());
        Map<String, Object> scope = new LinkedHashMap<>();
        if (caller.isPlatformAdmin()) {
            scope.put("all", true);
        } else {
            scope.put("all", false);
            scope.put("level", caller.orgLevel().name());
            scope.put("id", caller.org());
        }
        out.put("scope", scope);
        return out;
    }
}
