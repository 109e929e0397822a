package io.devopsconsole.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InertTest {

    @Test
    void escapeSequencesAreDroppedAndOtherControlsShownAsMarks() {
        assertThat(Inert.lines("\u001b[31mred\u001b[0m \u001b]0;owned\u0007title"))
                .isEqualTo("red title");
        assertThat(Inert.lines("bell\u0007 nul\u0000 esc\u001b del\u007f csi\u009b"))
                .isEqualTo("bell\u2407 nul\u2400 esc\u241b del<U+007F> csi<U+009B>");
        // a carriage return could overwrite what the line showed; before a newline it is just a line end
        assertThat(Inert.lines("rm -rf /\rls\r\nok")).isEqualTo("rm -rf /\u240Dls\nok");
    }

    @Test
    void bidiControlsAreNamedSoACommandCannotBeReversed() {
        assertThat(Inert.cell("ls \u202Efdp.exe")).isEqualTo("ls \u27E6RLO\u27E7fdp.exe");
        assertThat(Inert.cell("\u2066a\u2069\u200F")).isEqualTo("\u27E6LRI\u27E7a\u27E6PDI\u27E7\u27E6RLM\u27E7");
    }

    @Test
    void lineBreaksStayInTextAndBecomeMarksInCells() {
        assertThat(Inert.lines("a\n\tb")).isEqualTo("a\n\tb");
        assertThat(Inert.cell("a\n\tb")).isEqualTo("a\u2424\u2409b");
    }

    @Test
    void aLoneSurrogateIsAReplacementCharacterAndAPairIsKept() {
        assertThat(Inert.cell("x\uD800y\uDC00z")).isEqualTo("x\uFFFDy\uFFFDz");
        assertThat(Inert.cell("\uD83D\uDE80 ok")).isEqualTo("\uD83D\uDE80 ok");
        assertThat(Inert.cell("end\uD83D")).isEqualTo("end\uFFFD");
    }

    @Test
    void plainTextIsReturnedAsItIs() {
        String s = "deploy web-3: OK ✓ — ünïcödé";
        assertThat(Inert.lines(s)).isSameAs(s);
        assertThat(Inert.cell(null)).isEmpty();
    }
}
