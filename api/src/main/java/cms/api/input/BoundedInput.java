package cms.api.input;


import java.util.List;

/** The Jersey providers that hold every request to the bounds of {@link InputLimits}, for the application and the tests alike. */
public final class BoundedInput {
    public static List<Object> providers() {
        return List.of(new JsonInputExceptionMapper(), new PathParameters(), new BodyLimit(), new BodyLimit.TooLargeMapper());
    }

    private BoundedInput() {}
}
