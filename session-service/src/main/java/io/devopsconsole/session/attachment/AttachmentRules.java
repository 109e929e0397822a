package io.devopsconsole.session.attachment;

import io.devopsconsole.platform.problem.InvalidFieldException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * What an attached file must be: a plain name (it becomes a file name on the target, so letters,
 * digits, dot, dash and underscore, not starting with a dot), within the size limit, of an accepted
 * media type, and really of that type — text decodes as UTF-8 without NUL, images, PDF and archives
 * start with their format's signature. Anything else is refused naming what is wrong.
 */
final class AttachmentRules {

    private AttachmentRules() {}

    static String name(String name) {
        if (name == null || name.isBlank()) {
            throw new InvalidFieldException("name", "required: the file's name, e.g. nginx.conf");
        }
        if (!io.devopsconsole.events.agent.CopyAttachment.validName(name)) {
            throw new InvalidFieldException(
                    "name",
                    "1 to 100 letters, digits, '.', '-' or '_', not starting with '.' and without '..' (it becomes a file name on the target)");
        }
        return name;
    }

    /** The media type without parameters, lower case; refused when not accepted. */
    static String mediaType(String contentType, List<String> accepted) {
        String type =
                contentType == null ? "" : contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (type.isEmpty() || !accepted.contains(type)) {
            throw new InvalidFieldException(
                    "Content-Type",
                    (type.isEmpty() ? "required" : "'" + type + "' is not accepted") + "; accepted: "
                            + String.join(", ", accepted));
        }
        return type;
    }

    static void size(byte[] content, int max) {
        if (content == null || content.length == 0) {
            throw new InvalidFieldException("(body)", "the file is empty");
        }
        if (content.length > max) {
            throw new InvalidFieldException(
                    "(body)", "the file has " + content.length + " bytes; at most " + max + " may be attached");
        }
    }

    /** The content is what its type says. */
    static void content(String type, byte[] b) {
        boolean ok = switch (type) {
            case "image/png" -> starts(b, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A);
            case "image/jpeg" -> starts(b, 0xFF, 0xD8, 0xFF);
            case "image/gif" -> starts(b, 'G', 'I', 'F', '8', '7', 'a') || starts(b, 'G', 'I', 'F', '8', '9', 'a');
            case "image/webp" ->
                starts(b, 'R', 'I', 'F', 'F')
                        && b.length >= 12
                        && b[8] == 'W'
                        && b[9] == 'E'
                        && b[10] == 'B'
                        && b[11] == 'P';
            case "application/pdf" -> starts(b, '%', 'P', 'D', 'F', '-');
            case "application/gzip" -> starts(b, 0x1F, 0x8B);
            case "application/zip" -> starts(b, 'P', 'K', 3, 4) || starts(b, 'P', 'K', 5, 6);
            case "application/x-tar" ->
                b.length >= 262 && b[257] == 'u' && b[258] == 's' && b[259] == 't' && b[260] == 'a' && b[261] == 'r';
            default -> text(b);
        };
        if (!ok) {
            throw new InvalidFieldException(
                    "(body)",
                    type.startsWith("text/") || !type.startsWith("image/") && !BINARY.contains(type)
                            ? "not " + type + ": text must be UTF-8 without NUL bytes"
                            : "not " + type + ": the content does not start as a " + type + " file does");
        }
    }

    private static final List<String> BINARY =
            List.of("application/pdf", "application/gzip", "application/zip", "application/x-tar");

    private static boolean text(byte[] b) {
        for (byte x : b) {
            if (x == 0) {
                return false;
            }
        }
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static boolean starts(byte[] b, int... signature) {
        if (b.length < signature.length) {
            return false;
        }
        for (int i = 0; i < signature.length; i++) {
            if ((b[i] & 0xFF) != signature[i]) {
                return false;
            }
        }
        return true;
    }
}
