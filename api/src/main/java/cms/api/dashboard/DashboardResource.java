package cms.api.dashboard;

import io.swagger.v3.oas.annotations.Hidden;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * GET /: the spend dashboard's page (api/frontend, built into the jar under /dashboard). Its
 * scripts and styles are served by Dropwizard's AssetsBundle at /assets/*; the page itself comes
 * from here because Jersey holds the root. Public: the page holds no data, it signs in with a token.
 */
@Path("/")
@Hidden
public final class DashboardResource {
    static final String INDEX = "/dashboard/index.html";
    private final byte[] page;

    public DashboardResource() {
        try (InputStream in = DashboardResource.class.getResourceAsStream(INDEX)) {
            page = in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public Response index() {
        if (page == null) {
            // a build with -Ddashboard.skip=true has no page; the API itself works without it
            throw new NotFoundException("the dashboard was not built into this jar");
        }
        CacheControl noCache = new CacheControl();
        noCache.setNoCache(true); // the page names the hashed asset files of this build
        return Response.ok(page).cacheControl(noCache).build();
    }
}
