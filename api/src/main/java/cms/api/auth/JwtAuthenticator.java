package cms.api.auth;

import cms.api.hierarchy.HierarchyModel;
import cms.api.hierarchy.NodeKind;
import io.dropwizard.auth.Authenticator;

import java.util.Optional;

/**
 * Bearer token to caller, for the bearer filter. A token's org must name a node of its role's
 * level: a token for a node that does not exist (or is of another level) reaches nothing anyway,
 * and accepting it would make a typo look like an empty subtree.
 */
public final class JwtAuthenticator implements Authenticator<String, Caller> {
    private final JwtTokens tokens;
    private final HierarchyModel model;

    public JwtAuthenticator(JwtTokens tokens, HierarchyModel model) {
        this.tokens = tokens;
        this.model = model;
    }

    @Override
    public Optional<Caller> authenticate(String token) {
        return tokens.verify(token).filter(c -> c.isPlatformAdmin()
                || model.node(NodeKind.of(c.orgLevel()), c.org()).isPresent());
    }
}
