package io.devopsconsole.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.devopsconsole.cli.Printer.Column;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Projects and SSH targets: list and show (changes stay in the web console, behind its production gates). */
final class Inventory {

    private Inventory() {}

    static final List<Column> PROJECT_ROWS = List.of(
            Column.of("name", "name"),
            Column.of("slug", "slug"),
            Column.of("directory", "default_working_directory", 50),
            Column.of("id", "id"));
    static final List<Column> TARGET_ROWS = List.of(
            Column.of("name", "name"),
            new Column(
                    "address",
                    t -> Printer.text(t.path("username")) + "@" + Printer.text(t.path("host")) + ":"
                            + Printer.text(t.path("port")),
                    50),
            Column.of("environment", "environment"),
            Column.of("codex", "codex_status"),
            new Column(
                    "host key",
                    t -> t.path("trusted_host_key").isObject()
                            ? Printer.text(t.path("trusted_host_key").path("fingerprint_sha256"))
                            : "not trusted",
                    56),
            Column.of("id", "id"));

    /** A list: the page as a table of {@code rows}. */
    abstract static class Listing extends Devops.Json implements Callable<Integer> {
        abstract String path();

        abstract List<Column> rows();

        @Override
        public Integer call() {
            JsonNode page = Devops.context.api.get(path());
            answer(page, p -> p.table(page.path("items"), rows()));
            return 0;
        }
    }

    /** One thing by what people call it: its facts. */
    abstract static class Showing extends Devops.Json implements Callable<Integer> {
        @Parameters(paramLabel = "REF", description = "an id or a name")
        String ref;

        abstract JsonNode find(String ref);

        abstract List<Column> rows();

        @Override
        public Integer call() {
            JsonNode one = find(ref);
            answer(one, p -> p.facts(one, rows()));
            return 0;
        }
    }

    @Command(
            name = "projects",
            description = "Projects: list, show.",
            subcommands = {ProjectList.class, ProjectShow.class})
    static final class Projects {}

    @Command(name = "list", description = "Every project.")
    static final class ProjectList extends Listing {
        String path() {
            return "/api/projects?size=200";
        }

        List<Column> rows() {
            return PROJECT_ROWS;
        }
    }

    @Command(name = "show", description = "One project (by id, slug or name).")
    static final class ProjectShow extends Showing {
        JsonNode find(String ref) {
            return Refs.project(Devops.context.api, ref);
        }

        List<Column> rows() {
            return PROJECT_ROWS;
        }
    }

    @Command(
            name = "targets",
            description = "SSH targets: list, show.",
            subcommands = {TargetList.class, TargetShow.class})
    static final class Targets {}

    @Command(name = "list", description = "Every SSH target.")
    static final class TargetList extends Listing {
        String path() {
            return "/api/ssh-targets?size=200";
        }

        List<Column> rows() {
            return TARGET_ROWS;
        }
    }

    @Command(name = "show", description = "One SSH target (by id or name).")
    static final class TargetShow extends Showing {
        JsonNode find(String ref) {
            return Refs.target(Devops.context.api, ref);
        }

        List<Column> rows() {
            return TARGET_ROWS;
        }
    }
}
