package io.devopsconsole.session.stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.devopsconsole.events.DomainEvent;
import io.devopsconsole.events.EventJson;
import io.devopsconsole.events.agent.AgentStreamRecord;
import io.devopsconsole.events.agent.StreamKind;
import io.devopsconsole.events.agent.stream.StreamContract;
import io.devopsconsole.events.agent.stream.StreamPayload;
import io.devopsconsole.events.session.SessionStateChanged;
import io.devopsconsole.platform.redaction.SecretScanner;
import io.devopsconsole.session.approval.Approvals;
import io.devopsconsole.session.session.SessionService;
import io.devopsconsole.session.session.SessionState;
import io.devopsconsole.session.session.SessionStore;
import io.devopsconsole.session.session.SessionView;
import io.devopsconsole.session.transcript.NewEntry;
import io.devopsconsole.session.transcript.Transcript;
import io.devopsconsole.session.transcript.TranscriptEntry;
import io.devopsconsole.session.usage.TokenUsage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Stores one session's stream records in the runner's order, once: in one transaction holding the
 * session lock, records at or below the stored stream position are dropped (redeliveries, other
 * replicas), the contiguous run after it is stored, and records beyond a gap are parked until the
 * missing ones arrive (or the gap timeout passes, which leaves a note naming the lost range).
 * Each stored record may move the session, open an approval or complete a command audit, in the
 * same transaction.
 */
@ApplicationScoped
public class StreamStore {

    private static final Logger LOG = Logger.getLogger(StreamStore.class);
    static final String RUNNER = "agent-runner";

    private final Pool pool;
    private final SessionStore sessions;
    private final SessionService service;
    private final Transcript transcript;
    private final Approvals approvals;
    private final String schema;
    private final Duration gapTimeout;
    private final Counter stored;
    private final Counter duplicates;
    private final Counter parked;
    private final Counter fenced;
    private final TokenUsage tokens;
    private final io.devopsconsole.session.attachment.Attachments attachments;

    public StreamStore(
            Pool pool,
            SessionStore sessions,
            SessionService service,
            Transcript transcript,
            Approvals approvals,
            @ConfigProperty(name = "devops.schema") String schema,
            io.devopsconsole.session.SessionConfig config,
            MeterRegistry meters,
            TokenUsage tokens,
            io.devopsconsole.session.attachment.Attachments attachments) {
        Duration gapTimeout = config.streamGapTimeout();
        this.pool = pool;
        this.sessions = sessions;
        this.service = service;
        this.transcript = transcript;
        this.approvals = approvals;
        this.schema = schema;
        this.gapTimeout = gapTimeout;
        this.stored = Counter.builder("session.stream.records.stored").register(meters);
        this.duplicates = Counter.builder("session.stream.records.duplicates").register(meters);
        this.parked = Counter.builder("session.stream.records.parked").register(meters);
        this.fenced = Counter.builder("session.stream.records.fenced")
                .description("stream records from a runner that was superseded (dropped)")
                .register(meters);
        this.tokens = tokens;
        this.attachments = attachments;
    }

    /** Stores what can be stored of one session's records (any order, duplicates allowed). */
    public Uni<Void> store(UUID sessionId, List<AgentStreamRecord> records) {
        return storeAll(java.util.Map.of(sessionId, records)).replaceWithVoid();
    }

    /** What a batch stored: the transcript events per session (for local fan-out) and the unknown sessions. */
    public record Stored(java.util.Map<UUID, List<TranscriptEntry>> entries, java.util.Set<UUID> unknown) {}

    /**
     * Stores a batch for many sessions in one transaction (one commit per batch, not per session):
     * the sessions' rows are locked in id order in one query, each session's run is worked out in
     * memory, then all transcript events go in one INSERT and all positions and states in one
     * UPDATE. Returns the ids of sessions this service does not know (their records are dropped).
     */
    public Uni<Stored> storeAll(java.util.Map<UUID, List<AgentStreamRecord>> bySession) {
        List<UUID> ids = new ArrayList<>(bySession.keySet());
        java.util.Collections.sort(ids);
        return pool.withTransaction(connection -> sessions.lockAllWithParked(connection, ids)
                .flatMap(lockedAll -> storedIds(connection, bySession).flatMap(known -> {
                    java.util.Set<UUID> unknown = new java.util.HashSet<>(ids);
                    unknown.removeAll(lockedAll.keySet());
                    List<Plan> plans = new ArrayList<>();
                    for (UUID id : ids) {
                        SessionStore.Locked locked = lockedAll.get(id);
                        if (locked != null) {
                            plans.add(plan(locked, bySession.get(id), known));
                        }
                    }
                    java.util.Map<UUID, List<TranscriptEntry>> entries = new java.util.HashMap<>();
                    return write(connection, plans, entries).replaceWith(() -> new Stored(entries, unknown));
                })));
    }

    /**
     * Which of the batch's record ids are stored already. Only records a runner may send again
     * (after a reattach it re-reads the thread and re-sends items, approvals and turn ends with the
     * same ids) are looked up; deltas are sent once and skip the lookup.
     */
    private Uni<java.util.Set<UUID>> storedIds(
            SqlConnection connection, java.util.Map<UUID, List<AgentStreamRecord>> bySession) {
        List<UUID> ids = new ArrayList<>();
        bySession
                .values()
                .forEach(list -> list.stream().filter(r -> !isDelta(r)).forEach(r -> ids.add(r.recordId())));
        if (ids.isEmpty()) {
            return Uni.createFrom().item(java.util.Set.of());
        }
        return connection
                .preparedQuery("SELECT id FROM " + schema + ".session_event WHERE id = ANY($1)")
                .execute(Tuple.of(ids.toArray(UUID[]::new)))
                .map(rows -> {
                    java.util.Set<UUID> out = new java.util.HashSet<>();
                    rows.forEach(r -> out.add(r.getUUID(0)));
                    return out;
                });
    }

    private static boolean isDelta(AgentStreamRecord r) {
        return r.kind() == StreamKind.AGENT_MESSAGE_DELTA || r.kind() == StreamKind.COMMAND_OUTPUT_DELTA;
    }

    /** One session's share of a batch, worked out under its lock. */
    private record Plan(
            SessionStore.Locked locked,
            Waiting waiting,
            List<NewEntry> entries,
            List<DomainEvent> events,
            SessionState finalState,
            String reason,
            Long position,
            long storedThrough,
            long fence,
            List<AgentStreamRecord> toPark,
            List<java.util.function.Function<SqlConnection, Uni<Void>>> effects) {

        boolean changes() {
            return !entries.isEmpty() || position != null || fence != locked.streamFence();
        }
    }

    private Plan plan(SessionStore.Locked locked, List<AgentStreamRecord> records, java.util.Set<UUID> known) {
        Waiting waiting = parkedRecords(locked.parked());
        TreeMap<Long, AgentStreamRecord> candidates = new TreeMap<>(waiting.records());
        long fence = locked.streamFence();
        int superseded = 0;
        for (AgentStreamRecord r : records) {
            if (r.fence() != null && r.fence() < fence) {
                superseded++; // from a runner that was superseded: it must not write any more
                continue;
            }
            candidates.putIfAbsent(r.streamSeq(), r);
        }
        if (superseded > 0) {
            fenced.increment(superseded);
        }
        long position = locked.lastStreamSeq();
        int dropped = candidates.headMap(position, true).size();
        candidates.headMap(position, true).clear();
        List<AgentStreamRecord> run = new ArrayList<>();
        List<NewEntry> entries = new ArrayList<>();
        long next = position + 1;
        boolean gapExpired = waiting.oldest() != null
                && waiting.oldest().isBefore(SessionService.now().minus(gapTimeout));
        java.util.Set<UUID> seen = new java.util.HashSet<>(known);
        for (var e : candidates.entrySet()) {
            AgentStreamRecord r = e.getValue();
            if (r.fence() != null && r.fence() < fence) {
                dropped++; // parked before a newer owner's record arrived
                continue;
            }
            if (e.getKey() != next && r.fence() != null && r.fence() > fence) {
                // the first record of a new owner: every earlier record that will ever come has come
                // (the old owner's are before it on the partition, and later ones are fenced off), so
                // the numbers in between were reserved but never used
                next = e.getKey();
            }
            if (e.getKey() != next && run.isEmpty() && gapExpired) {
                io.devopsconsole.platform.logging.SessionLogs.warn(
                        LOG,
                        locked.view().id(),
                        "session %s: stream records %d to %d never arrived within %s; the transcript goes on after"
                                + " the gap",
                        locked.view().id(),
                        next,
                        e.getKey() - 1,
                        gapTimeout);
                entries.add(NewEntry.of(
                        "system_note",
                        RUNNER,
                        SessionService.note("stream records " + next + " to " + (e.getKey() - 1)
                                + " never arrived; the transcript continues after the gap"),
                        SessionService.now()));
                next = e.getKey();
            }
            if (e.getKey() != next) {
                break;
            }
            if (r.fence() != null && r.fence() > fence) {
                fence = r.fence();
            }
            next++;
            if (!seen.add(r.recordId())) {
                dropped++; // sent again after a reattach: stored already
                continue;
            }
            run.add(r);
        }
        if (dropped > 0) {
            duplicates.increment(dropped);
        }
        List<AgentStreamRecord> toPark =
                new ArrayList<>(candidates.tailMap(next, true).values());
        SessionView s = locked.view();
        List<DomainEvent> events = new ArrayList<>();
        List<java.util.function.Function<SqlConnection, Uni<Void>>> effects = new ArrayList<>();
        SessionState state = s.state();
        String reason = null;
        OffsetDateTime now = SessionService.now();
        for (AgentStreamRecord r : run) {
            JsonNode payload = r.payload() == null ? EventJson.mapper().createObjectNode() : r.payload();
            SecretScanner.Redacted safe = SecretScanner.redact(payload);
            entries.add(new NewEntry(
                    r.recordId(),
                    r.kind().wire(),
                    RUNNER,
                    r.turnId(),
                    r.itemId(),
                    r.targetId(),
                    r.streamSeq(),
                    r.at() == null ? now : r.at(),
                    safe.json().toString()));
            SessionState to = transition(state, r);
            if (to != null && to != state && state.canMoveTo(to)) {
                reason = reason(r, safe.json());
                events.add(new SessionStateChanged(s.id(), s.projectId(), state.wire(), to.wire(), reason));
                entries.add(NewEntry.of("status", RUNNER, SessionService.status(to, reason), now));
                state = to;
            }
            if (r.kind() == StreamKind.APPROVAL_REQUESTED) {
                effects.add(c -> approvals.opened(c, s, r, safe.json()));
            }
            // a command completed: decided by the runner's mapping, read from the typed payload
            if (r.kind() == StreamKind.ITEM_COMPLETED
                    && StreamContract.typeOf(r.kind(), safe.json()) == StreamPayload.ItemCompleted.Command.class) {
                effects.add(c -> approvals.commandCompleted(c, s.id(), r, safe.json()));
            }
            if (r.kind() == StreamKind.TOKEN_USAGE) {
                effects.add(c -> tokens.record(c, s.id(), r.targetId(), safe.json()));
            }
            if (r.kind() == StreamKind.ATTACHMENT_COPIED) {
                effects.add(c -> attachments.copied(c, s.id(), safe.json()));
            }
        }
        stored.increment(run.size());
        parked.increment(toPark.stream()
                .filter(r -> !waiting.records().containsKey(r.streamSeq()))
                .count());
        return new Plan(
                locked,
                waiting,
                entries,
                events,
                state,
                reason,
                next - 1 > locked.lastStreamSeq() ? next - 1 : null,
                next - 1,
                fence,
                toPark,
                effects);
    }

    private Uni<Void> write(
            SqlConnection connection, List<Plan> plans, java.util.Map<UUID, List<TranscriptEntry>> out) {
        List<Transcript.Placed> placed = new ArrayList<>();
        List<UUID> ids = new ArrayList<>();
        List<Long> lastSeqs = new ArrayList<>();
        List<Long> positions = new ArrayList<>();
        List<String> states = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        List<Long> fences = new ArrayList<>();
        for (Plan p : plans) {
            if (!p.changes()) {
                continue;
            }
            long seq = p.locked().view().lastSeq();
            List<TranscriptEntry> mine = new ArrayList<>(p.entries().size());
            for (NewEntry e : p.entries()) {
                placed.add(new Transcript.Placed(p.locked().view().id(), ++seq, e));
                mine.add(new TranscriptEntry(
                        seq,
                        e.id(),
                        e.kind(),
                        e.actor(),
                        e.turnId(),
                        e.itemId(),
                        e.targetId(),
                        e.streamSeq(),
                        e.at(),
                        e.body()));
            }
            out.put(p.locked().view().id(), mine);
            ids.add(p.locked().view().id());
            lastSeqs.add(seq);
            positions.add(p.position() == null ? p.locked().lastStreamSeq() : p.position());
            states.add(p.finalState().wire());
            reasons.add(p.reason());
            fences.add(p.fence());
        }
        Uni<Void> work = ids.isEmpty()
                ? Uni.createFrom().voidItem()
                : (placed.isEmpty() ? Uni.createFrom().voidItem() : transcript.insertAll(connection, placed))
                        .flatMap(v -> sessions.advanceAll(
                                connection, ids, lastSeqs, positions, states, reasons, fences, SessionService.now()));
        for (Plan p : plans) {
            UUID id = p.locked().view().id();
            if (p.finalState() != p.locked().view().state()
                    && (p.finalState() == SessionState.FAILED || p.finalState() == SessionState.STOPPED)) {
                io.devopsconsole.platform.logging.SessionLogs.info(
                        LOG,
                        id,
                        "session %s: %s -> %s (%s), as its runner reported",
                        id,
                        p.locked().view().state().wire(),
                        p.finalState().wire(),
                        p.reason());
            }
            if (!p.events().isEmpty()) {
                work = work.flatMap(v -> service.announce(connection, id, RUNNER, p.events()));
            }
            if (!p.waiting().records().isEmpty()) {
                work = work.flatMap(v -> unpark(connection, id, p.storedThrough()));
            }
            if (!p.toPark().isEmpty()) {
                work = work.flatMap(v ->
                        park(connection, id, p.toPark(), p.waiting().records().keySet()));
            }
            for (var effect : p.effects()) {
                work = work.flatMap(v -> effect.apply(connection));
            }
        }
        return work;
    }

    /** The sessions with records parked for longer than the gap timeout (to flush them). */
    public Uni<List<UUID>> sessionsWithExpiredGaps() {
        return pool.preparedQuery("SELECT DISTINCT session_id FROM " + schema + ".stream_parked WHERE parked_at < $1")
                .execute(Tuple.of(SessionService.now().minus(gapTimeout)))
                .map(rows -> {
                    List<UUID> out = new ArrayList<>();
                    rows.forEach(r -> out.add(r.getUUID(0)));
                    return out;
                });
    }

    private record Waiting(TreeMap<Long, AgentStreamRecord> records, OffsetDateTime oldest) {}

    private static Waiting parkedRecords(String parked) {
        TreeMap<Long, AgentStreamRecord> out = new TreeMap<>();
        OffsetDateTime oldest = null;
        if (parked == null) {
            return new Waiting(out, null);
        }
        try {
            for (JsonNode p : EventJson.mapper().readTree(parked)) {
                out.put(
                        p.get("seq").asLong(),
                        EventJson.mapper().readValue(p.get("record").asText(), AgentStreamRecord.class));
                OffsetDateTime at = OffsetDateTime.parse(p.get("at").asText());
                oldest = oldest == null || at.isBefore(oldest) ? at : oldest;
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("parked stream records are unreadable", e);
        }
        return new Waiting(out, oldest);
    }

    private Uni<Void> unpark(SqlConnection connection, UUID sessionId, long through) {
        return connection
                .preparedQuery("DELETE FROM " + schema + ".stream_parked WHERE session_id = $1 AND stream_seq <= $2")
                .execute(Tuple.of(sessionId, through))
                .replaceWithVoid();
    }

    private Uni<Void> park(
            SqlConnection connection,
            UUID sessionId,
            List<AgentStreamRecord> records,
            java.util.Set<Long> alreadyParked) {
        List<AgentStreamRecord> fresh = records.stream()
                .filter(r -> !alreadyParked.contains(r.streamSeq()))
                .toList();
        if (fresh.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Long[] seqs = fresh.stream().map(AgentStreamRecord::streamSeq).toArray(Long[]::new);
        String[] json = fresh.stream()
                .map(r -> EventJson.mapper().valueToTree(r).toString())
                .toArray(String[]::new);
        return connection
                .preparedQuery(
                        "INSERT INTO " + schema + ".stream_parked (session_id, stream_seq, record, parked_at)"
                                + " SELECT $1, s, r, $4 FROM unnest($2::bigint[], $3::text[]) AS u(s, r) ON CONFLICT DO NOTHING")
                .execute(Tuple.of(sessionId, seqs, json, SessionService.now()))
                .replaceWithVoid();
    }

    /** Where a record moves the session (null: nowhere). */
    static SessionState transition(SessionState current, AgentStreamRecord r) {
        return switch (r.kind()) {
            case TURN_STARTED, APPROVAL_RESOLVED -> SessionState.ACTIVE;
            case APPROVAL_REQUESTED -> SessionState.WAITING_APPROVAL;
            case TURN_COMPLETED, TURN_FAILED, TURN_TIMED_OUT, TURN_INTERRUPTED ->
                SessionState.IDLE; // StreamPayload.TurnEnded
            case WORKER_STATE ->
                switch (r.payload() == null ? "" : r.payload().path("state").asText()) {
                    case "starting" -> SessionState.STARTING;
                    case "ready" -> current == SessionState.STARTING ? SessionState.IDLE : null;
                    case "stopped" -> current == SessionState.STOPPING ? SessionState.STOPPED : SessionState.FAILED;
                    case "failed" -> SessionState.FAILED;
                    default -> null;
                };
            default -> null;
        };
    }

    private static String reason(AgentStreamRecord r, JsonNode payload) {
        String message = payload.path("message").asText("");
        return switch (r.kind()) {
            case TURN_STARTED -> "turn started";
            case APPROVAL_REQUESTED -> "the agent asked for approval";
            case APPROVAL_RESOLVED -> "approval answered";
            case TURN_COMPLETED -> "turn completed";
            case TURN_FAILED -> "turn failed" + (message.isEmpty() ? "" : ": " + message);
            case TURN_TIMED_OUT -> "turn timed out" + (message.isEmpty() ? "" : ": " + message);
            case TURN_INTERRUPTED -> "turn interrupted";
            case WORKER_STATE -> "worker " + payload.path("state").asText() + (message.isEmpty() ? "" : ": " + message);
            default -> r.kind().wire();
        };
    }
}
