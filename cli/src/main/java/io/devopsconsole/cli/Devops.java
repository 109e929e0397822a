package io.devopsconsole.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code devops}: the console from a terminal. Signs in with the device authorization grant, then
 * drives the same API the web console uses, through the same front door, with the user's own roles.
 * Exit codes: 0 done, 1 refused (input or rights; the message names the field), 2 usage, 3 sign in
 * again, 4 the console or the identity provider unavailable.
 */
@Command(
        name = "devops",
        mixinStandardHelpOptions = true,
        scope = CommandLine.ScopeType.INHERIT,
        versionProvider = Devops.Version.class,
        description = "The DevOps Console from a terminal.",
        subcommands = {
            Devops.Login.class,
            Devops.Logout.class,
            Devops.WhoAmI.class,
            Inventory.Projects.class,
            Inventory.Targets.class,
            Onboard.class,
            Sessions.class,
            Approvals.class,
            Audit.class,
            CommandLine.HelpCommand.class
        })
public final class Devops implements Runnable {

    /** What every command shares: how to reach the console, where output goes, --json. */
    public static final class Context {
        final Api api;
        final PrintStream out;
        final PrintStream err;
        final java.io.BufferedReader in;

        Context(Api api, PrintStream out, PrintStream err, java.io.InputStream in) {
            this.api = api;
            this.out = out;
            this.err = err;
            this.in = new java.io.BufferedReader(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
        }

        /** A line typed by the user (null at the end of input). */
        String ask(String prompt) {
            err.print(prompt);
            err.flush();
            try {
                return in.readLine();
            } catch (IOException e) {
                return null;
            }
        }
    }

    static Context context;

    /** --json on any command. */
    public static class Json {
        @Option(
                names = "--json",
                description = "Print the console's answer as JSON (non-ASCII escaped).",
                scope = CommandLine.ScopeType.INHERIT)
        boolean json;

        /** The answer as JSON with --json, else as {@code human} shows it. */
        void answer(JsonNode value, java.util.function.Consumer<Printer> human) {
            Printer p = new Printer(context.out);
            if (json) {
                p.json(value);
            } else {
                human.accept(p);
            }
        }
    }

    @Override
    public void run() {
        new CommandLine(this).usage(context.out);
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, System.in, Store.fromEnvironment()));
    }

    /** Runs one command line; returns its exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err, java.io.InputStream in, Store store) {
        context = new Context(new Api(Api.client(), store), out, err, in);
        CommandLine cli = new CommandLine(new Devops())
                .setOut(new java.io.PrintWriter(out, true))
                .setErr(new java.io.PrintWriter(err, true))
                .setExecutionExceptionHandler((e, line, parsed) -> {
                    if (e instanceof CliException c) {
                        err.println("devops: " + c.getMessage());
                        return c.exitCode();
                    }
                    throw e;
                });
        return cli.execute(args);
    }

    /** The console's four roles the user holds (the realm's other roles mean nothing here). */
    static String consoleRoles(JsonNode me) {
        java.util.List<String> held = new java.util.ArrayList<>();
        for (String role : java.util.List.of("viewer", "operator", "approver", "admin")) {
            for (JsonNode r : me.path("roles")) {
                if (r.asText().equals(role)) {
                    held.add(role);
                }
            }
        }
        return held.isEmpty() ? "no console role" : String.join(", ", held);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Devops.class.getPackage().getImplementationVersion();
            return new String[] {"devops " + (v == null ? "(development build)" : v)};
        }
    }

    @Command(name = "login", description = "Sign in: approve a one-time code in a browser (OIDC device authorization).")
    static final class Login implements Callable<Integer> {
        @Option(
                names = "--console",
                description = "The console's address (remembered), e.g. https://console.example.com")
        String console;

        @Option(
                names = "--issuer",
                description = "The identity provider's realm (found from the console when left out)")
        String issuer;

        @Option(
                names = "--client-id",
                defaultValue = "devops-cli",
                description = "The realm's client for the CLI (default ${DEFAULT-VALUE})")
        String clientId;

        @Override
        public Integer call() throws IOException {
            Context c = context;
            ObjectNode saved = c.api.store().read();
            String url = console != null
                    ? console
                    : saved == null ? null : saved.path("console").asText(null);
            if (url == null) {
                throw new CliException(CliException.REFUSED, "which console? devops login --console URL");
            }
            url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
            URI parsed = URI.create(url);
            if (parsed.getScheme() == null || !parsed.getScheme().matches("https?") || parsed.getHost() == null) {
                throw new CliException(
                        CliException.REFUSED, "--console must be an http(s) address, e.g. https://console.example.com");
            }
            String realm = issuer != null ? issuer : discoverIssuer(c, url);
            Oidc oidc = new Oidc(c.api.http(), realm, clientId);
            ObjectNode tokens = oidc.deviceLogin(c.err);
            ObjectNode login = Store.JSON
                    .createObjectNode()
                    .put("console", url)
                    .put("issuer", oidc.issuer())
                    .put("client_id", clientId);
            login.setAll(tokens);
            c.api.store().write(login);
            c.api.reset();
            JsonNode me = c.api.get("/auth/me");
            c.out.println("Signed in to " + Inert.cell(url) + " as "
                    + Inert.cell(me.path("name").asText()) + " ("
                    + consoleRoles(me) + ")");
            return 0;
        }

        /** The realm the console signs browsers in with: where it sends a browser that is not signed in. */
        static String discoverIssuer(Context c, String console) {
            HttpResponse<String> r = c.api.send(
                    HttpRequest.newBuilder(URI.create(console + "/auth/me"))
                            .timeout(Duration.ofSeconds(15))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            String location = r.headers().firstValue("Location").orElse("");
            int at = location.indexOf("/protocol/openid-connect/auth");
            if (r.statusCode() / 100 != 3 || at < 0) {
                throw new CliException(
                        CliException.REFUSED,
                        "cannot find the console's identity provider at " + console + " (answered " + r.statusCode()
                                + "); give it with --issuer https://idp.example.com/realms/REALM");
            }
            return location.substring(0, at);
        }
    }

    @Command(name = "logout", description = "Sign out: end the sign-in at the identity provider and forget it here.")
    static final class Logout implements Callable<Integer> {
        @Override
        public Integer call() throws IOException {
            Context c = context;
            ObjectNode saved = c.api.store().read();
            if (saved == null) {
                c.out.println("Not signed in.");
                return 0;
            }
            boolean ended = false;
            if (saved.hasNonNull("refresh_token") && saved.hasNonNull("issuer")) {
                try {
                    ended = new Oidc(
                                    c.api.http(),
                                    saved.path("issuer").asText(),
                                    saved.path("client_id").asText("devops-cli"))
                            .revoke(saved.path("refresh_token").asText());
                } catch (CliException e) {
                    c.err.println("devops: the identity provider could not end the sign-in (" + e.getMessage() + ")");
                }
            }
            c.api.store().delete();
            c.out.println(
                    ended ? "Signed out." : "Signed out here (the identity provider's session ends when it expires).");
            return 0;
        }
    }

    @Command(name = "whoami", description = "Who is signed in, with which roles.")
    static final class WhoAmI extends Json implements Callable<Integer> {
        @Override
        public Integer call() {
            Context c = context;
            JsonNode me = c.api.get("/auth/me");
            if (json) {
                ObjectNode shown = me.deepCopy();
                shown.remove("csrf_token");
                shown.put("console", c.api.console());
                new Printer(c.out).json(shown);
            } else {
                c.out.println(Inert.cell(me.path("name").asText()) + " at " + Inert.cell(c.api.console()) + " (roles: "
                        + consoleRoles(me)
                        + ")");
            }
            return 0;
        }
    }
}
