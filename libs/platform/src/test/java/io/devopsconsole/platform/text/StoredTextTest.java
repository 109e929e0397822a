package io.devopsconsole.platform.text;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The stored form of text: lossless, storable, idempotent where it must be, and inert. */
class StoredTextTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Strings rich in what breaks storage: NUL, lone and paired surrogates, the escape itself, bidi and ANSI controls. */
    @Provide
    Arbitrary<String> hostile() {
        Arbitrary<Character> nasty = Arbitraries.of(
                '\u0000',
                '\uD800',
                '\uDBFF',
                '\uDC00',
                '\uDFFF',
                StoredText.ESCAPE,
                '\u202E',
                '\u2066',
                '\u001B',
                '\n',
                '\r',
                '\\',
                'u',
                '0',
                'd',
                '"',
                '\uFFFD',
                '\uFEFF');
        Arbitrary<Character> any = Arbitraries.chars();
        return Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(3, nasty),
                        net.jqwik.api.Tuple.of(2, any),
                        net.jqwik.api.Tuple.of(2, Arbitraries.chars().range('a', 'z')))
                .list()
                .ofMaxSize(64)
                .map(cs -> {
                    StringBuilder b = new StringBuilder();
                    cs.forEach(b::append);
                    return b.toString();
                });
    }

    @Property(tries = 2000)
    void encodingIsLossless(@ForAll("hostile") String s) {
        assertThat(StoredText.decode(StoredText.encode(s))).isEqualTo(s);
    }

    @Property(tries = 1000)
    void treesDecodeToTheirOriginal(@ForAll("hostile") String s) {
        JsonNode tree = JSON.createObjectNode()
                .put(s, s)
                .set("list", JSON.createArrayNode().add(s));
        assertThat(StoredText.decodeTree(StoredText.encodeTree(tree))).isEqualTo(tree);
        assertThat(StoredText.decode(s + StoredText.ESCAPE)).isNotNull();
    }

    @Property(tries = 2000)
    void encodedAndGuardedTextIsStorableAndSurvivesUtf8(@ForAll("hostile") String s) {
        for (String stored : new String[] {StoredText.encode(s), StoredText.guard(s)}) {
            assertThat(StoredText.storable(stored)).isTrue();
            assertThat(stored).doesNotContain("\u0000");
            // what the driver sends is what comes back: no '?' substitutions
            assertThat(new String(stored.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
                    .isEqualTo(stored);
        }
    }

    @Property(tries = 2000)
    void guardIsIdempotentAndLeavesEncodedTextAlone(@ForAll("hostile") String s) {
        String guarded = StoredText.guard(s);
        assertThat(StoredText.guard(guarded)).isEqualTo(guarded);
        String encoded = StoredText.encode(s);
        assertThat(StoredText.guard(encoded)).isSameAs(encoded);
    }

    @Property(tries = 500)
    void treesAreEncodedInValuesAndNames(@ForAll("hostile") String s) throws Exception {
        JsonNode tree = JSON.createObjectNode()
                .put(s, s)
                .set("list", JSON.createArrayNode().add(s).add(7));
        JsonNode encoded = StoredText.encodeTree(tree);
        assertThat(StoredText.guardTree(encoded)).isSameAs(encoded); // storable as it is
        String key = StoredText.encode(s);
        assertThat(encoded.path(key).textValue()).isEqualTo(key);
        assertThat(encoded.path("list").get(0).textValue()).isEqualTo(key);
        assertThat(encoded.path("list").get(1).intValue()).isEqualTo(7);
        // the input tree is not changed
        assertThat(tree.path(s).textValue()).isEqualTo(s);
    }

    @Example
    void escapesAreVisibleAndNamed() {
        assertThat(StoredText.encode("a\u0000b")).isEqualTo("a\u29F5u0000b");
        assertThat(StoredText.encode("x\uD800")).isEqualTo("x\u29F5ud800");
        assertThat(StoredText.encode("\u29F5u0000")).isEqualTo("\u29F5u29f5u0000");
        assertThat(StoredText.encode("emoji \uD83D\uDE00 stays")).isEqualTo("emoji \uD83D\uDE00 stays");
        assertThat(StoredText.guard("\u29F5 \u0000")).isEqualTo("\u29F5 \u29F5u0000");
        String plain = "nothing to do, \u202E bidi stays as data";
        assertThat(StoredText.encode(plain)).isSameAs(plain);
    }

    @Example
    void invalidUtf8BytesSurviveAsEscapedBytes() {
        byte[] bytes = {
            'o', 'k', (byte) 0xFF, (byte) 0xC3, (byte) 0xA9, (byte) 0xED, (byte) 0xA0, (byte) 0x80, 'z', (byte) 0xC3
        };
        String text = StoredText.decodeUtf8(bytes, 0, bytes.length);
        assertThat(text).isEqualTo("ok\uDCFF\u00E9\uDCED\uDCA0\uDC80z\uDCC3");
        assertThat(StoredText.encode(text))
                .isEqualTo("ok\u29F5udcff\u00E9\u29F5udced\u29F5udca0\u29F5udc80z\u29F5udcc3");
        byte[] big = new byte[100_000];
        java.util.Arrays.fill(big, (byte) 0x80);
        assertThat(StoredText.decodeUtf8(big, 0, big.length)).hasSize(100_000);
    }

    @Example
    void bodiesAreRewrittenOnlyWhenTheyMustBe() throws Exception {
        byte[] plain = "{\"name\":\"web-1\",\"n\":1.000000000000000000001}".getBytes(StandardCharsets.UTF_8);
        assertThat(StoredTextBodies.rewrite(plain)).isSameAs(plain);
        byte[] escapedBackslash = "{\"path\":\"C:\\\\u0000\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(StoredTextBodies.rewrite(escapedBackslash)).isSameAs(escapedBackslash);
        byte[] nul = "{\"description\":\"a\\u0000b\",\"n\":1.000000000000000000001}".getBytes(StandardCharsets.UTF_8);
        byte[] rewritten = StoredTextBodies.rewrite(nul);
        assertThat(JSON.readTree(rewritten).path("description").textValue()).isEqualTo("a\u29F5u0000b");
        assertThat(new String(rewritten, StandardCharsets.UTF_8)).contains("1.000000000000000000001");
        byte[] surrogate = "{\"d\":\"\\ud800\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(JSON.readTree(StoredTextBodies.rewrite(surrogate)).path("d").textValue())
                .isEqualTo("\u29F5ud800");
        byte[] trailing = "{\"d\":\"\\u0000\"} {\"x\":1}".getBytes(StandardCharsets.UTF_8);
        assertThat(StoredTextBodies.rewrite(trailing)).isSameAs(trailing);
        byte[] broken = "{\"d\":\"\\u0000\"".getBytes(StandardCharsets.UTF_8);
        assertThat(StoredTextBodies.rewrite(broken)).isSameAs(broken);
    }

    @Example
    void clippingNeverLeavesHalfAPair() {
        String face = "\uD83D\uDE00"; // one code point, two chars
        assertThat(StoredText.clip("ab" + face + "cd", 3)).isEqualTo("ab…");
        assertThat(StoredText.clip("ab" + face + "cd", 4)).isEqualTo("ab" + face + "…");
        assertThat(StoredText.clip("short", 10)).isEqualTo("short");
        assertThat(StoredText.clip(null, 10)).isNull();
        assertThat(StoredText.safeEnd("a" + face, 2)).isEqualTo(1);
        assertThat(StoredText.safeEnd("a" + face, 3)).isEqualTo(3);
        assertThat(StoredText.safeEnd("a" + face, 0)).isZero();
    }
}
