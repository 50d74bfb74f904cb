package cms.api.input;

import com.fasterxml.jackson.databind.JsonMappingException;

/**
 * A value of a request body that is malformed (400) or beyond a limit (422). A JsonMappingException,
 * so Jackson adds the JSON path of the field as it unwinds; the API's JSON error mapper then answers
 * "field: problem" with this status.
 */
public final class InputProblem extends JsonMappingException {
    public static final int MALFORMED = 400;
    public static final int LIMIT = 422;

    private final int status;
    private final String problem;

    public InputProblem(int status, String problem) {
        super(null, problem);
        this.status = status;
        this.problem = problem;
    }

    public int status() {
        return status;
    }

    /** What is wrong, without the field's name. */
    public String problem() {
        return problem;
    }
}
