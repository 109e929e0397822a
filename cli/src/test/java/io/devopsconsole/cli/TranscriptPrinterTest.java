package io.devopsconsole.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** How a streamed transcript reads in a terminal. */
class TranscriptPrinterTest {

    static JsonNode entry(String json) throws Exception {
        return Store.JSON.readTree(json.replace('\'', '"'));
    }

    @Test
    void deltasJoinCommandsShowTheirOutputAndExitAndAFailureIsShownOnce() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Printer.Transcript t = new Printer.Transcript(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        for (String json : new String[] {
            "{'kind':'operator_message','actor':'olga','body':{'text':'count to 3'}}",
            "{'kind':'agent_message_delta','turn_id':'t1','item_id':'m1','body':{'delta':'1 '}}",
            "{'kind':'agent_message_delta','turn_id':'t1','item_id':'m1','body':{'delta':'2 3'}}",
            "{'kind':'item_completed','turn_id':'t1','item_id':'m1','body':{'item_type':'agent_message','text':'1 2 3'}}",
            "{'kind':'item_started','turn_id':'t1','item_id':'c1','body':{'item_type':'command_execution','command':'ls \\u202e x'}}",
            "{'kind':'command_output_delta','turn_id':'t1','item_id':'c1','body':{'delta':'\\u001b[32mok\\u001b[0m\\n'}}",
            "{'kind':'item_completed','turn_id':'t1','item_id':'c1','body':{'item_type':'command_execution','exit_code':0}}",
            "{'kind':'item_completed','turn_id':'t1','item_id':'m2','body':{'item_type':'agent_message','text':'not streamed'}}",
            "{'kind':'error','turn_id':'t1','body':{'message':'model 500','will_retry':true}}",
            "{'kind':'error','turn_id':'t1','body':{'message':'model failed'}}",
            "{'kind':'turn_failed','turn_id':'t1','body':{'message':'model failed'}}",
            "{'kind':'status','body':{'state':'stopped','reason':'done'}}"
        }) {
            t.entry(entry(json));
        }
        assertThat(bytes.toString(StandardCharsets.UTF_8))
                .isEqualTo(String.join(
                        "\n",
                        "> olga: count to 3",
                        "1 2 3",
                        "$ ls \u27E6RLO\u27E7 x",
                        "ok",
                        "[exit 0]",
                        "not streamed",
                        "notice: model 500 (retrying)",
                        "error: model failed",
                        "— session stopped: done",
                        ""));
    }
}
