package cms.api.openapi;

import com.fasterxml.jackson.annotation.JsonView;
import io.dropwizard.auth.Auth;
import io.swagger.v3.jaxrs2.ResolvedParameter;
import io.swagger.v3.jaxrs2.ext.AbstractOpenAPIExtension;
import io.swagger.v3.jaxrs2.ext.OpenAPIExtension;
import io.swagger.v3.jaxrs2.ext.OpenAPIExtensions;
import io.swagger.v3.oas.models.Components;
import jakarta.ws.rs.Consumes;

import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * An {@code @Auth Caller} parameter is Dropwizard's injection of the token's caller, not a request
 * body: the document says so once, as its bearer security scheme.
 */
final class AuthParameterExtension extends AbstractOpenAPIExtension {
    static synchronized void install() {
        List<OpenAPIExtension> extensions = new ArrayList<>(OpenAPIExtensions.getExtensions());
        if (extensions.stream().noneMatch(e -> e instanceof AuthParameterExtension)) {
            extensions.add(0, new AuthParameterExtension());
            OpenAPIExtensions.setExtensions(extensions);
        }
    }

    @Override
    public ResolvedParameter extractParameters(List<Annotation> annotations, Type type, Set<Type> typesToSkip,
                                               Components components, Consumes classConsumes, Consumes methodConsumes,
                                               boolean includeRequestBody, JsonView jsonViewAnnotation,
                                               Iterator<OpenAPIExtension> chain) {
        if (annotations.stream().anyMatch(a -> a instanceof Auth)) {
            return new ResolvedParameter();
        }
        return super.extractParameters(annotations, type, typesToSkip, components, classConsumes, methodConsumes,
                includeRequestBody, jsonViewAnnotation, chain);
    }
}
