package cms.api.errors;

import java.util.ArrayList;
import java.util.List;

/** Collects every problem of one request body, so the client learns them all at once (422). */
public final class Problems {
    private final List<String> problems = new ArrayList<>();

    public Problems add(String field, String problem) {
        problems.add(field + ": " + problem);
        return this;
    }

    public boolean isEmpty() {
        return problems.isEmpty();
    }

    /** Throws a 422 naming every field found wrong, if any. */
    public void throwIfAny() {
        if (!problems.isEmpty()) {
            throw ApiErrors.unprocessable(String.join("; ", problems));
        }
    }
}
