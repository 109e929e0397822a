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
 * <p>
 * The common case has a shorter way: a batch share that is only the deltas right after what this
 * replica last stored for the session (nothing parked, same fence and state) is appended in one
 * statement, without an explicit transaction or a lock taken first: the statement moves the
 * session row only if it is still where this replica left it, and inserts the events only for the
 * sessions it moved. A session someone else has written meanwhile (a message, a state change,
 * another replica, a takeover) is not moved, and its share is stored the locking way. Same
 * outcome, one round trip and one commit instead of five round trips (issue 24).
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
    private final Counter appended;
    /** Where this replica last left each live session's stream (what the short way expects to find). */
    private final java.util.concurrent.ConcurrentHashMap<UUID, Position> positions =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** A session row's stream as a committed write of this replica left it. */
    private record Position(long lastSeq, long streamSeq, long fence, String state) {}

    /** Sessions whose positions are remembered at most (the short way is an optimisation: beyond it, forgotten). */
    static final int POSITIONS_KEPT = 10_000;

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
        this.appended = Counter.builder("session.stream.records.appended")
                .description("stream records stored the short way (deltas appended in one statement, no lock first)")
                .register(meters);
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
        java.util.Map<UUID, Append> appends = new java.util.LinkedHashMap<>();
        bySession.forEach((id, records) -> {
            Append a = appendable(id, records);
            if (a != null) {
                appends.put(id, a);
            }
        });
        if (appends.isEmpty()) {
            return storeLocked(bySession);
        }
        return append(appends).flatMap(done -> {
            java.util.Map<UUID, List<AgentStreamRecord>> rest = new java.util.LinkedHashMap<>();
            bySession.forEach((id, records) -> {
                if (!done.containsKey(id)) {
                    rest.put(id, records);
                }
            });
            if (rest.isEmpty()) {
                return Uni.createFrom().item(new Stored(done, java.util.Set.of()));
            }
            return storeLocked(rest).map(locked -> {
                java.util.Map<UUID, List<TranscriptEntry>> entries = new java.util.HashMap<>(done);
                entries.putAll(locked.entries());
                return new Stored(entries, locked.unknown());
            });
        });
    }

    /** One session's share of a batch that may go the short way: its events placed after the expected position. */
    private record Append(
            Position expected, Position next, List<Transcript.Placed> placed, List<TranscriptEntry> entries) {}

    /**
     * The share as an append, when it is only deltas that continue exactly where this replica left
     * the session (same fence, no gap, no repeat); null otherwise (the locking way decides).
     */
    private Append appendable(UUID id, List<AgentStreamRecord> records) {
        Position at = positions.get(id);
        if (at == null || records.isEmpty()) {
            return null;
        }
        AgentStreamRecord[] sorted = records.toArray(AgentStreamRecord[]::new);
        java.util.Arrays.sort(sorted, java.util.Comparator.comparingLong(AgentStreamRecord::streamSeq));
        long streamSeq = at.streamSeq();
        for (AgentStreamRecord r : sorted) {
            if (!isDelta(r) || (r.fence() != null && r.fence() != at.fence()) || r.streamSeq() != ++streamSeq) {
                return null;
            }
        }
        OffsetDateTime now = SessionService.now();
        List<Transcript.Placed> placed = new ArrayList<>(sorted.length);
        List<TranscriptEntry> entries = new ArrayList<>(sorted.length);
        long seq = at.lastSeq();
        for (AgentStreamRecord r : sorted) {
            NewEntry e = entry(r, SecretScanner.redact(payloadOf(r)).json(), now);
            placed.add(new Transcript.Placed(id, ++seq, e));
            entries.add(transcriptEntry(seq, e));
        }
        return new Append(at, new Position(seq, streamSeq, at.fence(), at.state()), placed, entries);
    }

    /**
     * The short way, for many sessions in one statement: each session row moves only if it is where
     * this replica left it (and nothing is parked for it), and events go in only for the rows that
     * moved. Returns the events stored, by session; the sessions missing from it were not touched.
     */
    private Uni<java.util.Map<UUID, List<TranscriptEntry>>> append(java.util.Map<UUID, Append> appends) {
        List<Transcript.Placed> placed = new ArrayList<>();
        int n = appends.size();
        UUID[] ids = new UUID[n];
        Long[] wasSeq = new Long[n];
        Long[] wasPos = new Long[n];
        Long[] lastSeq = new Long[n];
        Long[] pos = new Long[n];
        Long[] fences = new Long[n];
        String[] states = new String[n];
        int i = 0;
        for (var e : appends.entrySet()) {
            Append a = e.getValue();
            placed.addAll(a.placed());
            ids[i] = e.getKey();
            wasSeq[i] = a.expected().lastSeq();
            wasPos[i] = a.expected().streamSeq();
            lastSeq[i] = a.next().lastSeq();
            pos[i] = a.next().streamSeq();
            fences[i] = a.expected().fence();
            states[i] = a.expected().state();
            i++;
        }
        Tuple params = Transcript.placedRows(placed)
                .addArrayOfUUID(ids)
                .addArrayOfLong(wasSeq)
                .addArrayOfLong(wasPos)
                .addArrayOfLong(lastSeq)
                .addArrayOfLong(pos)
                .addArrayOfLong(fences)
                .addArrayOfString(states);
        return pool.preparedQuery("WITH moved AS (UPDATE " + schema + ".session s"
                        + " SET last_seq = v.last_seq, last_stream_seq = v.pos"
                        + " FROM unnest($12::uuid[], $13::bigint[], $14::bigint[], $15::bigint[], $16::bigint[],"
                        + " $17::bigint[], $18::text[]) AS v(id, was_seq, was_pos, last_seq, pos, fence, state)"
                        + " WHERE s.id = v.id AND s.last_seq = v.was_seq AND s.last_stream_seq = v.was_pos"
                        + " AND s.stream_fence = v.fence AND s.state = v.state AND NOT EXISTS (SELECT 1 FROM "
                        + schema + ".stream_parked p WHERE p.session_id = s.id) RETURNING s.id)"
                        + " INSERT INTO " + schema + ".session_event " + Transcript.INSERTED_COLUMNS
                        + " SELECT e.* FROM " + Transcript.PLACED_ROWS
                        + " WHERE e.session_id IN (SELECT id FROM moved) RETURNING session_id")
                .execute(params)
                .map(rows -> {
                    java.util.Set<UUID> moved = new java.util.HashSet<>();
                    rows.forEach(r -> moved.add(r.getUUID(0)));
                    java.util.Map<UUID, List<TranscriptEntry>> out = new java.util.HashMap<>();
                    appends.forEach((id, a) -> {
                        if (moved.contains(id)) {
                            out.put(id, a.entries());
                            remember(id, a.next());
                            appended.increment(a.entries().size());
                        } else {
                            positions.remove(id, a.expected()); // written elsewhere: the locking way finds out
                        }
                    });
                    stored.increment(out.values().stream().mapToInt(List::size).sum());
                    return out;
                });
    }

    private void remember(UUID id, Position at) {
        if (positions.size() >= POSITIONS_KEPT && !positions.containsKey(id)) {
            positions.clear();
        }
        positions.put(id, at);
    }

    private static JsonNode payloadOf(AgentStreamRecord r) {
        return r.payload() == null ? EventJson.mapper().createObjectNode() : r.payload();
    }

    private static NewEntry entry(AgentStreamRecord r, JsonNode redacted, OffsetDateTime now) {
        return new NewEntry(
                r.recordId(),
                r.kind().wire(),
                RUNNER,
                r.turnId(),
                r.itemId(),
                r.targetId(),
                r.streamSeq(),
                r.at() == null ? now : r.at(),
                redacted.toString());
    }

    private static TranscriptEntry transcriptEntry(long seq, NewEntry e) {
        return new TranscriptEntry(
                seq,
                e.id(),
                e.kind(),
                e.actor(),
                e.turnId(),
                e.itemId(),
                e.targetId(),
                e.streamSeq(),
                e.at(),
                e.body());
    }

    /** The locking way: every case (see the class comment). */
    private Uni<Stored> storeLocked(java.util.Map<UUID, List<AgentStreamRecord>> bySession) {
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
                            return write(connection, plans, entries)
                                    .replaceWith(() -> new Outcome(new Stored(entries, unknown), leftAt(plans)));
                        })))
                .map(outcome -> {
                    // committed: where each session's stream now is (what the short way may expect next time)
                    ids.forEach(id -> {
                        Position p = outcome.leftAt().get(id);
                        if (p == null) {
                            positions.remove(id);
                        } else {
                            remember(id, p);
                        }
                    });
                    return outcome.stored();
                });
    }

    /** A locking store's result and where it left each session's stream. */
    private record Outcome(Stored stored, java.util.Map<UUID, Position> leftAt) {}

    /**
     * Where the plans leave each session's stream, for sessions the short way may continue: not
     * ended, nothing left parked.
     */
    private static java.util.Map<UUID, Position> leftAt(List<Plan> plans) {
        java.util.Map<UUID, Position> out = new java.util.HashMap<>();
        for (Plan p : plans) {
            if (!p.toPark().isEmpty()
                    || p.finalState() == SessionState.STOPPED
                    || p.finalState() == SessionState.FAILED) {
                continue;
            }
            out.put(
                    p.locked().view().id(),
                    new Position(
                            p.locked().view().lastSeq() + p.entries().size(),
                            p.position() == null ? p.locked().lastStreamSeq() : p.position(),
                            p.fence(),
                            p.finalState().wire()));
        }
        return out;
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
            SecretScanner.Redacted safe = SecretScanner.redact(payloadOf(r));
            entries.add(entry(r, safe.json(), now));
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
                mine.add(transcriptEntry(seq, e));
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
