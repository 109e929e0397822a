package io.devopsconsole.testkit;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Tuple;

/**
 * Text that breaks naive storage and display, for generated-input tests: a fixed adversarial set
 * (NUL, unpaired surrogates, the stored-text escape itself, bidi overrides, ANSI escapes, long
 * lines) followed by random strings drawn by jqwik from a mix weighted towards those characters.
 */
public final class HostileText {

    /** The stored-text escape character (ADR 0014). */
    public static final char ESCAPE = '\u29F5';

    private HostileText() {}

    /** The fixed cases, always first. */
    public static List<String> fixed() {
        return List.of(
                "a\u0000b",
                "\u0000",
                "lone \uD800 high",
                "lone \uDC00 low",
                "\uDFFF\uD800 reversed pair",
                "emoji \uD83D\uDE00 ok",
                "escape " + ESCAPE + "u0000 literal",
                "" + ESCAPE,
                "\u202Egnp.exe",
                "\u2066isolate\u2069",
                "\u001B[31mred\u001B[0m",
                "tab\tand\r\nbreaks",
                "\uFEFFbom",
                "\uFFFD replacement",
                "quote \" and \\u0000 text",
                "x".repeat(20_000));
    }

    /** The fixed cases, then {@code random} generated ones. */
    public static List<String> samples(int random) {
        List<String> out = new ArrayList<>(fixed());
        arbitrary().sampleStream().limit(random).forEach(out::add);
        return out;
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper ASCII_JSON =
            new com.fasterxml.jackson.databind.ObjectMapper()
                    .enable(com.fasterxml.jackson.core.json.JsonWriteFeature.ESCAPE_NON_ASCII.mappedFeature());

    /**
     * A request body as JSON with every non-ASCII character written as a backslash-u escape, so it
     * reaches the server exactly: a client that writes UTF-8 turns an unpaired surrogate into '?'
     * before it ever leaves.
     */
    public static String json(Object body) {
        try {
            return ASCII_JSON.writeValueAsString(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The text with everything outside printable ASCII written as a backslash-u escape: for assertion messages. */
    public static String visible(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder b = new StringBuilder(text.length());
        text.chars()
                .forEach(c -> b.append(c < 0x20 || c > 0x7e ? String.format("\\u%04x", c) : String.valueOf((char) c)));
        return b.toString();
    }

    /** Random strings weighted towards what breaks storage and display. */
    public static Arbitrary<String> arbitrary() {
        Arbitrary<Character> nasty = Arbitraries.of(
                '\u0000', '\uD800', '\uDBFF', '\uDC00', '\uDFFF', ESCAPE, '\u202E', '\u2066', '\u001B', '\n', '\\', '"',
                '\uFFFD', '\u0085', '\u2028');
        return Arbitraries.frequencyOf(
                        Tuple.of(3, nasty),
                        Tuple.of(2, Arbitraries.chars()),
                        Tuple.of(3, Arbitraries.chars().range('a', 'z')))
                .list()
                .ofMinSize(1)
                .ofMaxSize(40)
                .map(cs -> {
                    StringBuilder b = new StringBuilder(cs.size());
                    cs.forEach(b::append);
                    return b.toString();
                });
    }
}
