package io.devopsconsole.session.coordinator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/**
 * Slash commands: the coordinator's tools with no model in between. Each command names one tool and
 * fills its arguments from the words after it (never a command line: the words become JSON values the
 * tool checks). The same confirmations apply.
 */
final class SlashCommands {

    static final String HELP = String.join(
            "\n",
            "Slash commands (they work without a model):",
            "/targets — list the targets with readiness and reachability",
            "/target NAME — show one target",
            "/projects — list the projects and their live sessions",
            "/onboard <sentence> — start onboarding, e.g. /onboard new server 10.76.22.150 called web-3",
            "/hostkey — show the host key the server under onboarding presents",
            "/trust — trust that host key (you confirm the fingerprint first)",
            "/advance — advance the onboarding run this conversation is about",
            "/plan approve | /plan execute — the run's install plan (you confirm first)",
            "/provision SLOT TARGET — lease a Codex auth slot to a target and write its auth.json (admin; you confirm first)",
            "/session start PROJECT [TARGET [DIRECTORY]] — open a project's agent session (on that target and"
                    + " directory: the project and its runtime profile are created or re-pointed)",
            "/cockpit TARGET [DIRECTORY] — set up the Cockpit web console on a ready lab target (fixed steps; you"
                    + " confirm first)",
            "/ask PROJECT <request> — send a request to the project's worker; its answer is relayed here",
            "/approve ID, /deny ID — decide a command a project's agent asked to run",
            "/audit target NAME | /audit project NAME — the newest audit records",
            "/remove NAME — remove a retired target (you confirm first)",
            "/help — this list",
            "A proposal is confirmed by typing its phrase exactly (or pressing Confirm on its card).");

    /** A command's tool and arguments, or (for /help and mistakes) the text to answer with. */
    record Parsed(String tool, ObjectNode args, String help) {
        static Parsed tool(String tool, ObjectNode args) {
            return new Parsed(tool, args, null);
        }

        static Parsed answer(String text) {
            return new Parsed(null, null, text);
        }
    }

    private SlashCommands() {}

    static Parsed parse(String said) {
        String[] words = said.strip().split("\\s+", 3);
        String command = words[0].toLowerCase(Locale.ROOT);
        String first = words.length > 1 ? words[1] : null;
        String rest = said.strip().contains(" ")
                ? said.strip().substring(said.strip().indexOf(' ') + 1).strip()
                : null;
        ObjectNode args = Conversations.body();
        switch (command) {
            case "/help":
                return Parsed.answer(HELP);
            case "/targets":
                return Parsed.tool("list_targets", args);
            case "/projects":
                return Parsed.tool("list_projects", args);
            case "/target":
                return first == null ? usage("/target NAME") : Parsed.tool("show_target", args.put("name", first));
            case "/onboard":
                return rest == null
                        ? usage("/onboard <sentence naming the host and the name>")
                        : Parsed.tool("start_onboarding", args.put("request", rest));
            case "/hostkey":
                return Parsed.tool("show_host_key", args);
            case "/trust":
                return Parsed.tool("trust_host_key", args);
            case "/advance":
                return Parsed.tool("advance_onboarding", args);
            case "/plan":
                if ("approve".equalsIgnoreCase(first)) {
                    return Parsed.tool("approve_install_plan", args);
                }
                if ("execute".equalsIgnoreCase(first)) {
                    return Parsed.tool("execute_install_plan", args);
                }
                return usage("/plan approve | /plan execute");
            case "/session":
                if ("start".equalsIgnoreCase(first) && words.length == 3) {
                    String[] more = words[2].strip().split("\\s+");
                    if (more.length > 3) {
                        return usage("/session start PROJECT [TARGET [DIRECTORY]]");
                    }
                    args.put("project", more[0]);
                    if (more.length > 1) {
                        args.put("target", more[1]);
                    }
                    if (more.length > 2) {
                        args.put("working_directory", more[2]);
                    }
                    return Parsed.tool("start_session", args);
                }
                return usage("/session start PROJECT [TARGET [DIRECTORY]]");
            case "/cockpit":
                if (first == null) {
                    return usage("/cockpit TARGET [DIRECTORY]");
                }
                String[] more = words.length == 3 ? words[2].strip().split("\\s+") : new String[0];
                if (more.length > 1) {
                    return usage("/cockpit TARGET [DIRECTORY]");
                }
                args.put("target", first);
                if (more.length == 1) {
                    args.put("directory", more[0]);
                }
                return Parsed.tool("setup_cockpit", args);
            case "/ask":
                if (first == null || words.length < 3) {
                    return usage("/ask PROJECT <request>");
                }
                return Parsed.tool("send_to_worker", args.put("project", first).put("text", words[2]));
            case "/approve":
            case "/deny":
                if (first == null) {
                    return usage(command + " ID");
                }
                return Parsed.tool(
                        "decide_approval",
                        args.put("approval_id", first)
                                .put("decision", command.equals("/approve") ? "approved" : "denied"));
            case "/audit":
                if (words.length == 3 && ("target".equalsIgnoreCase(first) || "project".equalsIgnoreCase(first))) {
                    return Parsed.tool(
                            "show_audit", args.put(first.toLowerCase(Locale.ROOT), words[2].split("\\s+")[0]));
                }
                return usage("/audit target NAME | /audit project NAME");
            case "/provision":
                if (words.length == 3) {
                    return Parsed.tool(
                            "provision_auth_slot", args.put("slot", first).put("target", words[2].split("\\s+")[0]));
                }
                return usage("/provision SLOT TARGET");
            case "/remove":
                return first == null ? usage("/remove NAME") : Parsed.tool("remove_target", args.put("name", first));
            default:
                return Parsed.answer("There is no command " + words[0] + ".\n" + HELP);
        }
    }

    private static Parsed usage(String form) {
        return Parsed.answer("Usage: " + form);
    }
}
