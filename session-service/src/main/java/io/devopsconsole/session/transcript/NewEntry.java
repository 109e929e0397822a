package io.devopsconsole.session.transcript;

import java.time.OffsetDateTime;
import java.util.UUID;

/** An event about to be appended to a transcript ({@code body} is JSON text). */
public record NewEntry(
        UUID id,
        String kind,
        String actor,
        String turnId,
        String itemId,
        UUID targetId,
        Long streamSeq,
        OffsetDateTime at,
        String body) {

    public static NewEntry of(String kind, String actor, String body, OffsetDateTime at) {
        return new NewEntry(UUID.randomUUID(), kind, actor, null, null, null, null, at, body);
    }
}
