package cms.api.auth;

import com.codahale.metrics.annotation.Timed;
import io.dropwizard.auth.Auth;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** GET /v1/me: who the token says the caller is, and the root of what it may reach. */
@Path("/v1/me")
@Produces(MediaType.APPLICATION_JSON)
public final class MeResource {
    @GET
    @Timed
    public MeView me(@Auth Caller caller) {
        MeView.ScopeView scope = caller.isPlatformAdmin()
                ? new MeView.ScopeView(true, null, null)
                : new MeView.ScopeView(false, caller.orgLevel().name(), caller.org());
        return new MeView(caller.role().claim(), caller.org(), scope);
    }
}
