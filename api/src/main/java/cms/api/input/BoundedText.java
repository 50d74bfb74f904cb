package cms.api.input;

import cms.api.errors.Problems;

import java.util.Map;

/** Strings and string maps of request bodies, within their lengths (422 naming the field). */
public final class BoundedText {
    /** A present value must be 1 to {@code max} characters and not blank; null passes (the caller decides whether it is required). */
    public static void check(String field, String value, int max, Problems problems) {
        if (value != null && (value.isBlank() || value.length() > max)) {
            problems.add(field, "must be 1 to " + max + " characters and not blank"
                    + (value.length() > max ? ", was " + value.length() : ""));
        }
    }

    /**
     * An attribute map: at most {@link InputLimits#MAX_ATTRIBUTES} entries, keys 1 to and values at
     * most {@link InputLimits#MAX_ATTRIBUTE_CHARS} characters, no null values. Reports under
     * {@code field.key} (the key cut to the echo length).
     */
    public static void attributes(String field, Map<String, String> attributes, Problems problems) {
        if (attributes == null) {
            return;
        }
        if (attributes.size() > InputLimits.MAX_ATTRIBUTES) {
            problems.add(field, "at most " + InputLimits.MAX_ATTRIBUTES + " entries, was " + attributes.size());
            return; // one message, not one per entry
        }
        attributes.forEach((k, v) -> {
            String at = field + "." + InputLimits.cut(k);
            if (k.isBlank() || k.length() > InputLimits.MAX_ATTRIBUTE_CHARS) {
                problems.add(at, "keys must be 1 to " + InputLimits.MAX_ATTRIBUTE_CHARS + " characters and not blank");
            }
            if (v == null) {
                problems.add(at, "values must not be null");
            } else if (v.length() > InputLimits.MAX_ATTRIBUTE_CHARS) {
                problems.add(at, "values are at most " + InputLimits.MAX_ATTRIBUTE_CHARS + " characters, was " + v.length());
            }
        });
    }

    private BoundedText() {}
}
