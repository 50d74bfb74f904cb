package cms.api.auth;

import com.codahale.metrics.annotation.Timed;
import io.dropwizard.auth.Auth;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** GET /v1/me: the user the token names, as the API knows it now, and the root of what it may reach. */
@Path("/v1/me")
@Produces(MediaType.APPLICATION_JSON)
public final class MeResource {
    @GET
    @Timed
    public MeView me(@Auth Caller caller) {
        MeView.ScopeView scope = caller.isPlatformAdmin()
                ? new MeView.ScopeView(true, null, null)
                : new MeView.ScopeView(false, caller.orgLevel().name(), caller.org());
        return new MeView(caller.user(), caller.access(), caller.isPlatformAdmin() ? "platform" : caller.role().claim(),
                caller.org(), scope);
    }
}
