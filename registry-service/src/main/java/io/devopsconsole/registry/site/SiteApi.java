package io.devopsconsole.registry.site;

import io.devopsconsole.platform.validation.PlainText;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.time.OffsetDateTime;
import java.util.UUID;

/** Payloads of the site API. */
public final class SiteApi {

    static final String NAME = "[\\p{L}\\p{N}][\\p{L}\\p{N} ._-]{0,99}";

    private SiteApi() {}

    public record CreateSiteRequest(
            @NotBlank
            @io.devopsconsole.platform.validation.UnambiguousName
            @Pattern(regexp = NAME, message = "must be 1-100 letters, digits, spaces, '.', '_' or '-'")
            String name,

            @Size(max = 2000) @PlainText String description) {}

    public record UpdateSiteRequest(
            @NotBlank
            @io.devopsconsole.platform.validation.UnambiguousName
            @Pattern(regexp = NAME, message = "must be 1-100 letters, digits, spaces, '.', '_' or '-'")
            String name,

            @Size(max = 2000) @PlainText String description,
            @NotNull @PositiveOrZero Long version) {}

    public record SiteResponse(
            UUID id,
            String name,
            String description,
            OffsetDateTime createdAt,
            OffsetDateTime updatedAt,
            long version) {
        static SiteResponse of(Site s) {
            return new SiteResponse(s.id(), s.name(), s.description(), s.createdAt(), s.updatedAt(), s.version());
        }
    }
}
