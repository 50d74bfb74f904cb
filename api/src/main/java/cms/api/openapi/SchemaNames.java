package cms.api.openapi;

import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.core.jackson.ModelResolver;
import io.swagger.v3.core.jackson.TypeNameResolver;
import io.swagger.v3.core.util.Json31;

/**
 * Schema names for the nested records of the views and bodies, which swagger-core would otherwise
 * name by their simple names alone (five are called Version or Body): the enclosing type's name
 * without View/Resource, then the record's, e.g. NodeView.Version is NodeVersion,
 * PriceBookResource.RateBody is PriceBookRateBody; NodeBodies.Partner is PartnerBody.
 */
final class SchemaNames extends TypeNameResolver {
    private static boolean installed;

    static synchronized void install() {
        if (!installed) {
            // the request bodies are read through the default instance, the responses through the 3.1 one
            ModelConverters.getInstance(true).addConverter(new ModelResolver(Json31.mapper(), new SchemaNames()).openapi31(true));
            ModelConverters.getInstance().addConverter(new ModelResolver(Json31.mapper(), new SchemaNames()).openapi31(true));
            installed = true;
        }
    }

    @Override
    protected String getNameOfClass(Class<?> cls) {
        Class<?> outer = cls.getEnclosingClass();
        if (outer == null || !outer.getPackageName().startsWith("cms.")) {
            return super.getNameOfClass(cls);
        }
        String inner = strip(cls.getSimpleName(), "View");
        if (outer.getSimpleName().endsWith("Bodies")) {
            return inner + "Body";
        }
        return strip(strip(outer.getSimpleName(), "View"), "Resource") + inner;
    }

    private static String strip(String name, String suffix) {
        return name.endsWith(suffix) && name.length() > suffix.length() ? name.substring(0, name.length() - suffix.length()) : name;
    }
}
