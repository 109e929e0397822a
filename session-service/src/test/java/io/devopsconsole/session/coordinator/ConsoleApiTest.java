package io.devopsconsole.session.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A refusal as the chat says it: the API's detail, then only the field errors it does not already say. */
class ConsoleApiTest {

    @Test
    void aFieldErrorTheDetailAlreadySaysIsNotRepeated() {
        var body = Conversations.body().put("detail", "project_id: names no registered project (retry)");
        body.putArray("errors")
                .addObject()
                .put("field", "project_id")
                .put("message", "names no registered project (retry)");
        assertThat(new ConsoleApi.Answer(400, body).problem())
                .isEqualTo("project_id: names no registered project (retry)");

        var two = Conversations.body().put("detail", "2 fields are invalid");
        two.putArray("errors").addObject().put("field", "name").put("message", "must be a name");
        two.withArray("errors").addObject().put("field", "port").put("message", "must be 1-65535");
        assertThat(new ConsoleApi.Answer(400, two).problem())
                .isEqualTo("2 fields are invalid; name must be a name; port must be 1-65535");
    }
}
