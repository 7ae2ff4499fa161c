package dev.cairn.store.state;

import java.util.List;

/**
 * What a {@link Command.Forwarded} batch did: its commands' results in order, or, for a copy too
 * old to tell whether it was applied before, why none of them was applied now.
 */
public record ForwardedResult(List<Object> results, String refused) {

    public static ForwardedResult applied(List<Object> results) {
        return new ForwardedResult(List.copyOf(results), null);
    }

    public static ForwardedResult refused(String why) {
        return new ForwardedResult(List.of(), why);
    }
}
