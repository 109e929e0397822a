package io.devopsconsole.registry.project;

import io.devopsconsole.platform.validation.PlainText;
import io.devopsconsole.platform.validation.SafeDirectory;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

/** Request payloads of the project API. */
final class ProjectRequests {

    /**
     * One line of text: no control characters, nor a NUL in the stored form of text (ADR 0014), nor
     * invisible format characters (bidi overrides and isolates, zero-width characters) that make a
     * name read as something else.
     */
    static final String ONE_LINE = "(?!.*\u29F5u0000)[^\\p{Cntrl}\\p{Cf}]+";

    static final String SLUG = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";

    private ProjectRequests() {}

    /** Register a project. */
    record CreateProjectRequest(
            @NotBlank
            @Pattern(
                    regexp = SLUG,
                    message = "must be 1-63 lower-case letters, digits or '-', not starting or ending with '-'")
            String slug,

            @NotBlank
            @Size(max = 200)
            @io.devopsconsole.platform.validation.UnambiguousName
            @Pattern(regexp = ONE_LINE, message = "must be one line of text")
            String name,

            @Size(max = 2000) @PlainText String description,
            @NotNull @SafeDirectory(workspace = true) String defaultWorkingDirectory) {}

    /** Replace a project's mutable attributes; {@code version} is the version the change was made against. */
    record UpdateProjectRequest(
            @NotBlank
            @Size(max = 200)
            @io.devopsconsole.platform.validation.UnambiguousName
            @Pattern(regexp = ONE_LINE, message = "must be one line of text")
            String name,

            @Size(max = 2000) @PlainText String description,
            @NotNull @SafeDirectory(workspace = true) String defaultWorkingDirectory,
            @NotNull @PositiveOrZero Long version) {}

    /** Archive a project; {@code version} optional but checked when given. */
    record ArchiveProjectRequest(@PositiveOrZero Long version) {}
}
