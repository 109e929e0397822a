package io.devopsconsole.cli;

/**
 * Text from the console made safe for a terminal: a worker's output or a user's message may carry
 * escape sequences (which move the cursor, retitle the window, rewrite what was printed), bidi
 * controls (which reverse how a command reads), NUL and other controls, or half a surrogate pair.
 * Each is shown as a visible mark instead of acting: C0 controls as their control pictures (␛, ␀),
 * C1 controls and DEL as {@code <U+009B>}, bidi controls by name ({@code ⟦RLO⟧}, as the web console
 * shows them), a lone surrogate as U+FFFD; colour and cursor sequences are dropped whole, as the web
 * console drops them. Newlines (and tabs) are kept where {@code lines} allows; a carriage return
 * that could overwrite what a line showed is a mark.
 */
public final class Inert {

    /** Colour and cursor sequences (CSI) and operating-system commands (OSC: titles, links, clipboard): dropped. */
    private static final java.util.regex.Pattern SEQUENCES = java.util.regex.Pattern.compile(
            "\u001b\\[[0-?]*[ -/]*[@-~]|\u001b\\][^\u0007\u001b]*(?:\u0007|\u001b\\\\)");

    private Inert() {}

    /** One line's worth of text: newlines and tabs shown as marks too (for tables). */
    public static String cell(String text) {
        return text == null ? "" : clean(text, false);
    }

    /** Text with its newlines and tabs kept (transcripts, output). */
    public static String lines(String text) {
        return text == null ? "" : clean(text, true);
    }

    private static String clean(String raw, boolean lines) {
        String text = raw.indexOf('\u001b') < 0 ? raw : SEQUENCES.matcher(raw).replaceAll("");
        StringBuilder out = null;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            String mark = null;
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                    if (out != null) {
                        out.append(c).append(text.charAt(i + 1));
                    }
                    i++;
                    continue;
                }
                mark = "\uFFFD";
            } else if (Character.isLowSurrogate(c)) {
                mark = "\uFFFD";
            } else if (c == '\n' || c == '\t') {
                mark = lines ? null : (c == '\n' ? "\u2424" : "\u2409");
            } else if (c == '\r') {
                mark = lines && i + 1 < n && text.charAt(i + 1) == '\n' ? "" : "\u240D";
            } else if (c < 0x20) {
                mark = String.valueOf((char) (0x2400 + c));
            } else if (c >= 0x7F && c <= 0x9F) {
                mark = String.format("<U+%04X>", (int) c);
            } else {
                mark = bidi(c);
            }
            if (mark != null) {
                if (out == null) {
                    out = new StringBuilder(n + 16).append(text, 0, i);
                }
                out.append(mark);
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }

    private static String bidi(char c) {
        return switch (c) {
            case '\u202A' -> "\u27E6LRE\u27E7";
            case '\u202B' -> "\u27E6RLE\u27E7";
            case '\u202C' -> "\u27E6PDF\u27E7";
            case '\u202D' -> "\u27E6LRO\u27E7";
            case '\u202E' -> "\u27E6RLO\u27E7";
            case '\u2066' -> "\u27E6LRI\u27E7";
            case '\u2067' -> "\u27E6RLI\u27E7";
            case '\u2068' -> "\u27E6FSI\u27E7";
            case '\u2069' -> "\u27E6PDI\u27E7";
            case '\u200E' -> "\u27E6LRM\u27E7";
            case '\u200F' -> "\u27E6RLM\u27E7";
            case '\u061C' -> "\u27E6ALM\u27E7";
            default -> null;
        };
    }
}
