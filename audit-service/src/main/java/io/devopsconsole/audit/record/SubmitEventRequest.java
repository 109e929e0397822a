package io.devopsconsole.audit.record;

import com.fasterxml.jackson.databind.JsonNode;
import io.devopsconsole.platform.validation.PlainText;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * An audit event from an outside producer (a CI system, a change-management tool). {@code id}
 * makes a retry idempotent; {@code details} is a JSON object; nothing in it may look like a secret.
 * {@code source} and {@code time} are the producer's own claims: kept as reported, while the record's
 * source, actor and time are set by the service from the token and its clock (ADR 0018).
 */
public record SubmitEventRequest(
        UUID id,

        @NotBlank @Pattern(regexp = "[a-z0-9][a-z0-9._-]{2,199}", message = "must be a dotted lower-case event type")
        String type,

        @Pattern(regexp = "/?[A-Za-z0-9][A-Za-z0-9._/-]{0,99}", message = "must name the producer, like /ci-runner")
        String source,

        @NotBlank @Pattern(regexp = "[a-z][a-z0-9_]{0,49}", message = "must be a lower-case resource kind")
        String resourceType,

        @NotBlank @Size(max = 200) @PlainText String resourceId,
        @Size(max = 200) @PlainText String resourceName,

        @Pattern(regexp = "[a-z][a-z0-9_]*\\.[a-z][a-z0-9_]*", message = "must look like 'deployment.started'")
        String action,

        @NotBlank @Size(max = 1000) @PlainText String summary,
        JsonNode details,

        @Pattern(regexp = "benign|elevated|destructive", message = "must be benign, elevated or destructive")
        String risk,

        @Size(max = 100) @PlainText String sessionId,
        OffsetDateTime time) {}
