package cms.api.auth;

import io.dropwizard.auth.AuthFilter;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;

import java.security.Principal;

/**
 * Takes the bearer token from the {@code Authorization} header only. Dropwizard's
 * OAuthCredentialAuthFilter also accepts {@code ?access_token=}, which the contract forbids: a token
 * in a URL ends up in access logs, proxies and browser history.
 */
@Priority(Priorities.AUTHENTICATION)
public final class BearerHeaderAuthFilter<P extends Principal> extends AuthFilter<String, P> {
    private BearerHeaderAuthFilter() {}

    @Override
    public void filter(ContainerRequestContext request) {
        if (!authenticate(request, credentials(request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION)), "Bearer")) {
            throw unauthorizedHandler.buildException(prefix, realm);
        }
    }

    private String credentials(String header) {
        if (header == null) {
            return null;
        }
        int space = header.indexOf(' ');
        if (space <= 0 || !header.substring(0, space).equalsIgnoreCase(prefix)) {
            return null;
        }
        String token = header.substring(space + 1).strip();
        return token.isEmpty() ? null : token;
    }

    public static final class Builder<P extends Principal> extends AuthFilterBuilder<String, P, BearerHeaderAuthFilter<P>> {
        @Override
        protected BearerHeaderAuthFilter<P> newInstance() {
            return new BearerHeaderAuthFilter<>();
        }
    }
}
