package io.devopsconsole.agent.worker;

import com.fasterxml.jackson.databind.JsonNode;
import io.devopsconsole.agent.codex.TurnMapper;
import io.devopsconsole.events.agent.ApprovalDecided;
import io.devopsconsole.events.agent.TurnEnded;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * What the app-server says, relayed: notifications become stream records and lifecycle events (the
 * runner's {@code TurnMapper}), a turn's end ends it here and starts the next waiting message,
 * approval requests are recorded and — when a decision was already made (before a reattach) — answered
 * at once; decisions from the console are answered on the connection that waits for them.
 */
final class Relay {

    private static final Logger LOG = Logger.getLogger(Relay.class);
    private final SessionScope s;
    private final SessionDriver driver;

    Relay(SessionScope s, SessionDriver driver) {
        this.s = s;
        this.driver = driver;
    }

    void notification(Worker w, String method, JsonNode params) {
        if (method.equals("turn/started") && s.current != null && s.current.worker == w && s.current.turnId == null) {
            s.current.turnId = params.path("turn").path("id").asText(null);
        }
        if (method.equals("turn/completed")) {
            turnCompleted(w, params);
            return;
        }
        long tokensBefore = w.mapper.totalTokens();
        TurnMapper.Mapped mapped = w.mapper.notification(method, params);
        if (w.mapper.totalTokens() > tokensBefore) {
            s.deps.meters()
                    .counter("agent.tokens", "target", w.target.name())
                    .increment(w.mapper.totalTokens() - tokensBefore);
        }
        s.publish(w, mapped.drafts());
        s.announce(mapped.events());
    }

    void turnCompleted(Worker w, JsonNode params) {
        String turnId = params.path("turn").path("id").asText(null);
        boolean ours =
                s.current != null && s.current.worker == w && (turnId == null || turnId.equals(s.current.turnId));
        if (ours && s.current.timedOut) {
            s.current = null; // already reported as timed out
        } else {
            TurnMapper.Mapped mapped = w.mapper.notification("turn/completed", params);
            s.publish(w, mapped.drafts());
            if (turnId != null) {
                String status = params.path("turn").path("status").asText("completed");
                s.announce(List.of(new TurnEnded(
                        s.sessionId,
                        w.view.id(),
                        w.target.id(),
                        turnId,
                        status,
                        params.path("turn").path("error").path("message").asText(null),
                        w.mapper.turnTokens())));
            }
            if (ours) {
                s.current = null;
            }
        }
        s.deps.store().state(w.view, "ready", null, null, null).await().indefinitely();
        if (s.current == null) {
            driver.next();
        }
    }

    void serverRequest(Worker w, JsonNode id, String method, JsonNode params) throws IOException {
        List<TurnMapper.Draft> drafts = new ArrayList<>();
        TurnMapper.PendingApproval pending = w.mapper.approvalRequest(id, method, params, drafts);
        if (pending == null) {
            LOG.infof("session %s: server request %s is not supported; answered with an error", s.sessionId, method);
            w.app.refuse(id);
            return;
        }
        Optional<CommandLog.Decision> recorded = s.deps.log().decision(s.sessionId, pending.requestKey());
        if (recorded.isPresent()) {
            // asked again after a reattach, and the operator has decided already: answer from the record
            LOG.infof(
                    "session %s: approval %s asked again; answered from the recorded decision (%s)",
                    s.sessionId, pending.requestKey(), recorded.get().decision());
            s.publish(w, drafts); // same record id as the first time: stored once
            answer(w, pending, recorded.get().decision());
            return;
        }
        s.publish(w, drafts);
    }

    void decide(ApprovalDecided d) {
        String decision = "approved".equals(d.decision()) ? "approved" : "denied";
        s.deps.log().decide(s.sessionId, d.requestId(), decision, d.decidedBy());
        for (Worker w : s.workers.values()) {
            TurnMapper.PendingApproval pending = w.mapper.pending(d.requestId());
            if (pending != null && w.connected()) {
                answer(w, pending, decision);
                return;
            }
        }
        LOG.debugf(
                "session %s: decision on %s recorded; nothing waits for it on a connection now",
                s.sessionId, d.requestId());
    }

    void answer(Worker w, TurnMapper.PendingApproval pending, String decision) {
        w.mapper.decided(pending.requestKey(), decision);
        try {
            w.app.answerApproval(pending.serverId(), pending.method(), decision.equals("approved"));
            w.lastActivityNanos = System.nanoTime();
            s.deps.log().answered(s.sessionId, pending.requestKey());
        } catch (IOException e) {
            LOG.warnf(
                    "session %s: answering approval %s failed (answered again after a reattach): %s",
                    s.sessionId, pending.requestKey(), e.getMessage());
        }
    }
}
