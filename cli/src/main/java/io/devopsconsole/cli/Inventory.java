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

    @Command(
            name = "projects",
            description = "Projects: list, show.",
            subcommands = {ProjectList.class, ProjectShow.class})
    static final class Projects {}

    @Command(name = "list", description = "Every project.")
    static final class ProjectList extends Devops.Json implements Callable<Integer> {
        @Override
        public Integer call() {
            JsonNode page = Devops.context.api.get("/api/projects?size=200");
            Printer p = new Printer(Devops.context.out);
            if (json) {
                p.json(page);
            } else {
                p.table(page.path("items"), PROJECT_ROWS);
            }
            return 0;
        }
    }

    @Command(name = "show", description = "One project (by id, slug or name).")
    static final class ProjectShow extends Devops.Json implements Callable<Integer> {
        @Parameters(paramLabel = "PROJECT")
        String ref;

        @Override
        public Integer call() {
            JsonNode project = Refs.project(Devops.context.api, ref);
            Printer p = new Printer(Devops.context.out);
            if (json) {
                p.json(project);
            } else {
                p.facts(project, PROJECT_ROWS);
            }
            return 0;
        }
    }

    @Command(
            name = "targets",
            description = "SSH targets: list, show.",
            subcommands = {TargetList.class, TargetShow.class})
    static final class Targets {}

    @Command(name = "list", description = "Every SSH target.")
    static final class TargetList extends Devops.Json implements Callable<Integer> {
        @Override
        public Integer call() {
            JsonNode page = Devops.context.api.get("/api/ssh-targets?size=200");
            Printer p = new Printer(Devops.context.out);
            if (json) {
                p.json(page);
            } else {
                p.table(page.path("items"), TARGET_ROWS);
            }
            return 0;
        }
    }

    @Command(name = "show", description = "One SSH target (by id or name).")
    static final class TargetShow extends Devops.Json implements Callable<Integer> {
        @Parameters(paramLabel = "TARGET")
        String ref;

        @Override
        public Integer call() {
            JsonNode target = Refs.target(Devops.context.api, ref);
            Printer p = new Printer(Devops.context.out);
            if (json) {
                p.json(target);
            } else {
                p.facts(target, TARGET_ROWS);
            }
            return 0;
        }
    }
}
