package io.devopsconsole.platform.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * The stored form of text (ADR 0014). PostgreSQL {@code text} holds any Unicode text but two kinds
 * of Java {@code char}: U+0000 (NUL) and a surrogate without its pair (which UTF-8 cannot encode;
 * the driver would silently write {@code ?}). Text that may hold them is stored with each of them
 * written as {@code ⧵uXXXX} (U+29F5 REVERSE SOLIDUS OPERATOR, {@code u}, four lowercase hex digits),
 * which is visible wherever the text is shown and inert everywhere.
 *
 * <ul>
 *   <li>{@link #encode}: lossless, applied once where text enters the system (request bodies, the
 *   worker's output): also writes the escape character itself as {@code ⧵u29f5}, so
 *   {@link #decode} gives back exactly the original.</li>
 *   <li>{@link #guard}: idempotent, applied before anything is stored: writes only what cannot be
 *   stored, so text already encoded passes unchanged and nothing unstorable reaches the database.</li>
 *   <li>{@link #decodeUtf8}: bytes to text without losing invalid UTF-8: each byte that is not part
 *   of a valid sequence becomes the lone surrogate {@code U+DC00 + byte} (as Python's
 *   {@code surrogateescape}), which {@link #encode} then writes as {@code ⧵udcXX}.</li>
 * </ul>
 */
public final class StoredText {

    /** The escape character: U+29F5 REVERSE SOLIDUS OPERATOR. */
    public static final char ESCAPE = '\u29F5';

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private StoredText() {}

    /** True when the text can be stored as it is ({@code null} can). */
    public static boolean storable(String s) {
        return s == null || firstUnstorable(s, false) < 0;
    }

    /** Lossless encoding of text entering the system (see the class comment). */
    public static String encode(String s) {
        return escape(s, true);
    }

    /** Idempotent guard before storage: only NUL and unpaired surrogates are escaped. */
    public static String guard(String s) {
        return escape(s, false);
    }

    /** The original of {@link #encode}d text. Sequences that are not escapes stay as they are. */
    public static String decode(String s) {
        if (s == null || s.indexOf(ESCAPE) < 0) {
            return s;
        }
        boolean changed = false;
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == ESCAPE && i + 1 < s.length() && s.charAt(i + 1) == 'u' && hex4(s, i + 2) >= 0) {
                out.append((char) hex4(s, i + 2));
                i += 6;
                changed = true;
            } else {
                out.append(c);
                i++;
            }
        }
        return changed ? out.toString() : s;
    }

    /** The largest end at most {@code end} that does not split a surrogate pair of {@code s}. */
    public static int safeEnd(CharSequence s, int end) {
        return end > 0 && end < s.length() && Character.isHighSurrogate(s.charAt(end - 1)) ? end - 1 : end;
    }

    /**
     * At most {@code max} characters of {@code s}, never half of a surrogate pair, with "…" appended
     * when something was cut ({@code null} stays {@code null}). Every clip of text for display or a
     * digest goes through here, so none of them makes a lone surrogate.
     */
    public static String clip(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, safeEnd(s, max)) + "…";
    }

    /** A JSON tree with every string value and field name {@link #encode}d (the input is not changed). */
    public static JsonNode encodeTree(JsonNode node) {
        return tree(node, StoredText::encode);
    }

    /** A JSON tree with every string value and field name {@link #decode}d: the original of {@link #encodeTree}. */
    public static JsonNode decodeTree(JsonNode node) {
        return tree(node, StoredText::decode);
    }

    /** A JSON tree with every string value and field name {@link #guard}ed (the same node when nothing changes). */
    public static JsonNode guardTree(JsonNode node) {
        return tree(node, StoredText::guard);
    }

    /** True when some string value or field name of the tree would change under {@link #encode}. */
    public static boolean needsEncoding(JsonNode node) {
        if (node == null) {
            return false;
        }
        if (node.isTextual()) {
            return firstUnstorable(node.textValue(), true) >= 0;
        }
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (firstUnstorable(e.getKey(), true) >= 0 || needsEncoding(e.getValue())) {
                    return true;
                }
            }
            return false;
        }
        if (node.isArray()) {
            for (JsonNode child : node) {
                if (needsEncoding(child)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** UTF-8 bytes to text; invalid bytes become lone surrogates U+DC80..U+DCFF (never U+FFFD). */
    public static String decodeUtf8(byte[] bytes, int offset, int length) {
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, offset, length);
        CharBuffer out = CharBuffer.allocate(length + 16);
        while (true) {
            CoderResult r = in.hasRemaining() ? decoder.decode(in, out, true) : decoder.flush(out);
            if (r.isUnderflow()) {
                if (!in.hasRemaining()) {
                    CoderResult f = decoder.flush(out);
                    if (f.isOverflow()) {
                        out = grow(out);
                        continue;
                    }
                    break;
                }
            } else if (r.isOverflow()) {
                out = grow(out);
            } else {
                for (int k = 0; k < r.length(); k++) {
                    if (!out.hasRemaining()) {
                        out = grow(out);
                    }
                    out.put((char) (0xDC00 | (in.get() & 0xFF)));
                }
            }
        }
        out.flip();
        return out.toString();
    }

    private static CharBuffer grow(CharBuffer out) {
        CharBuffer bigger = CharBuffer.allocate(out.capacity() * 2 + 16);
        out.flip();
        bigger.put(out);
        return bigger;
    }

    private static JsonNode tree(JsonNode node, java.util.function.UnaryOperator<String> full) {
        if (node == null) {
            return null;
        }
        if (node.isTextual()) {
            String t = node.textValue();
            String e = full.apply(t);
            return e == t ? node : JsonNodeFactory.instance.textNode(e);
        }
        if (node.isObject()) {
            ObjectNode out = null;
            int i = 0;
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); i++) {
                Map.Entry<String, JsonNode> e = it.next();
                String key = full.apply(e.getKey());
                JsonNode value = tree(e.getValue(), full);
                if (out == null && (key != e.getKey() || value != e.getValue())) {
                    out = JsonNodeFactory.instance.objectNode();
                    int j = 0;
                    for (Iterator<Map.Entry<String, JsonNode>> before = node.fields(); j < i; j++) {
                        Map.Entry<String, JsonNode> b = before.next();
                        out.set(b.getKey(), b.getValue());
                    }
                }
                if (out != null) {
                    out.set(key, value);
                }
            }
            return out == null ? node : out;
        }
        if (node.isArray()) {
            ArrayNode out = null;
            for (int i = 0; i < node.size(); i++) {
                JsonNode value = tree(node.get(i), full);
                if (out == null && value != node.get(i)) {
                    out = JsonNodeFactory.instance.arrayNode(node.size());
                    for (int j = 0; j < i; j++) {
                        out.add(node.get(j));
                    }
                }
                if (out != null) {
                    out.add(value);
                }
            }
            return out == null ? node : out;
        }
        return node;
    }

    /** The same instance when nothing needs escaping. */
    private static String escape(String s, boolean full) {
        if (s == null) {
            return null;
        }
        int first = firstUnstorable(s, full);
        if (first < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length() + 16).append(s, 0, first);
        for (int i = first; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                out.append(c).append(s.charAt(++i));
            } else if (c == 0 || Character.isSurrogate(c) || (full && c == ESCAPE)) {
                out.append(ESCAPE)
                        .append('u')
                        .append(HEX[(c >> 12) & 0xF])
                        .append(HEX[(c >> 8) & 0xF])
                        .append(HEX[(c >> 4) & 0xF])
                        .append(HEX[c & 0xF]);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static int firstUnstorable(String s, boolean full) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0 || (full && c == ESCAPE)) {
                return i;
            }
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return i;
                }
            }
        }
        return -1;
    }

    private static int hex4(String s, int at) {
        if (at + 4 > s.length()) {
            return -1;
        }
        int v = 0;
        for (int i = at; i < at + 4; i++) {
            int d = Character.digit(s.charAt(i), 16);
            if (d < 0 || Character.isUpperCase(s.charAt(i))) {
                return -1;
            }
            v = v * 16 + d;
        }
        return v;
    }
}
