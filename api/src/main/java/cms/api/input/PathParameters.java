package cms.api.input;

import cms.api.errors.ApiErrors;
import cms.api.hierarchy.Ids;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.PathSegment;
import jakarta.ws.rs.ext.Provider;

import java.util.List;
import java.util.Set;

/**
 * Path parameters before any resource sees them: no segment may carry matrix parameters (JAX-RS
 * would silently drop {@code ;b} from {@code /v1/partners/a;b} and act on partner {@code a}), and
 * every id parameter matches {@link Ids#PATTERN}. 400 naming the parameter. Runs after
 * authentication, so an anonymous caller learns nothing but 401.
 */
@Provider
@Priority(Priorities.AUTHORIZATION)
public final class PathParameters implements ContainerRequestFilter {
    /** The path parameters that hold client-chosen ids. */
    static final Set<String> ID_PARAMETERS = Set.of("id", "tenantId");

    @Override
    public void filter(ContainerRequestContext request) {
        List<PathSegment> segments = request.getUriInfo().getPathSegments(false);
        for (PathSegment segment : segments) {
            if (!segment.getMatrixParameters().isEmpty()) {
                throw ApiErrors.badRequest("path", "matrix parameters (';') are not accepted, in segment "
                        + InputLimits.echo(segment.getPath() + ";" + segment.getMatrixParameters().keySet().iterator().next()));
            }
        }
        MultivaluedMap<String, String> parameters = request.getUriInfo().getPathParameters(true);
        for (String name : ID_PARAMETERS) {
            List<String> values = parameters.get(name);
            if (values != null) {
                for (String value : values) {
                    if (!Ids.isValid(value)) {
                        throw ApiErrors.badRequest(name, "must match " + Ids.PATTERN + ", was " + InputLimits.echo(value));
                    }
                }
            }
        }
    }
}
