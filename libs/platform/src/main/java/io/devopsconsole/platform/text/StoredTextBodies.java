package io.devopsconsole.platform.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * Every JSON request body enters in the stored form of text ({@link StoredText#encode}): a string
 * value or field name holding NUL, an unpaired surrogate or the escape character is rewritten
 * before the service reads it, so no text field of any write endpoint can hold what PostgreSQL
 * cannot store (which answered 500, or was silently stored as {@code ?} and broke the audit hash).
 * Bodies without a backslash-u escape, an escape character or a CESU-encoded surrogate pass as they
 * are, byte for byte; a body that does not parse passes unchanged to the reader, which answers 400.
 */
@Provider
public class StoredTextBodies implements ReaderInterceptor {

    private static final ObjectReader TREE = new ObjectMapper()
            .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .readerFor(JsonNode.class);
    private static final ObjectMapper WRITER = new ObjectMapper();

    @Override
    public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException {
        MediaType type = context.getMediaType();
        for (java.lang.annotation.Annotation a : context.getAnnotations()) {
            if (a instanceof RawBody) {
                return context.proceed(); // a file, byte for byte
            }
        }
        if (type != null
                && (type.getSubtype().equals("json") || type.getSubtype().endsWith("+json"))) {
            byte[] body = context.getInputStream().readAllBytes();
            context.setInputStream(new ByteArrayInputStream(rewrite(body)));
        }
        return context.proceed();
    }

    /** The body with its text in the stored form (the same array when nothing needs it). */
    public static byte[] rewrite(byte[] body) {
        if (!mayNeedEncoding(body)) {
            return body;
        }
        try {
            JsonNode tree = TREE.readValue(body);
            if (tree == null || !StoredText.needsEncoding(tree)) {
                return body;
            }
            return WRITER.writeValueAsBytes(StoredText.encodeTree(tree));
        } catch (JsonProcessingException e) {
            return body; // the service's own reader answers 400 for it
        } catch (IOException e) {
            return body;
        }
    }

    /** A cheap look for what could need encoding: a backslash-u escape, U+29F5 in UTF-8, or a UTF-8-encoded surrogate. */
    static boolean mayNeedEncoding(byte[] body) {
        for (int i = 0; i < body.length; i++) {
            int b = body[i] & 0xFF;
            if (b == '\\' && i + 1 < body.length && (body[i + 1] == 'u' || body[i + 1] == 'U')) {
                return true;
            }
            if (b == 0xE2 && i + 2 < body.length && (body[i + 1] & 0xFF) == 0xA7 && (body[i + 2] & 0xFF) == 0xB5) {
                return true;
            }
            if (b == 0xED && i + 1 < body.length && (body[i + 1] & 0xFF) >= 0xA0) {
                return true;
            }
        }
        return false;
    }
}
