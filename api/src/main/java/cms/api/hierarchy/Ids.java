package cms.api.hierarchy;

import java.util.regex.Pattern;

/** Client-chosen ids of CONTRACT.md. */
public final class Ids {
    public static final String PATTERN = "[a-z0-9][a-z0-9._-]{0,63}";
    private static final Pattern COMPILED = Pattern.compile(PATTERN);

    public static boolean isValid(String id) {
        return id != null && COMPILED.matcher(id).matches();
    }

    private Ids() {}
}
