package io.devopsconsole.session.stream;

import io.devopsconsole.events.EventJson;
import io.devopsconsole.session.SessionConfig;
import io.devopsconsole.session.transcript.Transcript;
import io.devopsconsole.session.transcript.TranscriptEntry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.pubsub.PgSubscriber;
import io.vertx.pgclient.PgConnectOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Fans stored transcript events out to this replica's SSE viewers. Every replica LISTENs for the
 * commit notification of any transcript write (whoever wrote it), reads each watched session's
 * new events once, in seq order, and offers them to that session's viewers. A viewer joins
 * before it replays from storage, so the live events it receives while replaying fill in after
 * the replay without a gap, and seq filtering drops what it already has. Each viewer has a bounded
 * queue drained at the pace its connection accepts; one that falls too far behind is told to
 * reconnect (and replays from storage), so a slow viewer never holds up others or the consumer.
 */
@ApplicationScoped
public class StreamHub {

    private static final Logger LOG = Logger.getLogger(StreamHub.class);
    static final int PAGE = 500;

    private final Vertx vertx;
    private final Transcript transcript;
    private final SessionConfig config;
    private final String channelName;
    private final PgConnectOptions connectOptions;
    private final ConcurrentHashMap<UUID, Channel> channels = new ConcurrentHashMap<>();
    /**
     * Sessions this replica is storing records of right now (guarded by itself): their commit
     * notifications wait for the local delivery instead of reading the events back (issue 24).
     */
    private final java.util.HashMap<UUID, LocalWrite> localWrites = new java.util.HashMap<>();
    /** How long a local store may hold back other writers' notifications at most. */
    static final long LOCAL_WRITE_HOLD_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Counter overflows;
    private final Counter delivered;
    private final Counter readBacks;
    private final io.micrometer.core.instrument.Timer commitToEmit;
    private PgSubscriber subscriber;
    private long heartbeatTimer = -1;

    public StreamHub(
            Vertx vertx,
            Transcript transcript,
            SessionConfig config,
            MeterRegistry meters,
            @ConfigProperty(name = "devops.schema") String schema,
            @ConfigProperty(name = "quarkus.datasource.reactive.url") String url,
            @ConfigProperty(name = "quarkus.datasource.username") String user,
            @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password) {
        this.vertx = vertx;
        this.transcript = transcript;
        this.config = config;
        this.channelName = schema + "_events";
        PgConnectOptions options = PgConnectOptions.fromUri(url.startsWith("vertx-reactive:") ? url.substring(15) : url)
                .setUser(user);
        password.ifPresent(options::setPassword);
        this.connectOptions = options;
        this.overflows = Counter.builder("session.sse.overflows")
                .description("Viewers told to reconnect because they fell too far behind")
                .register(meters);
        this.delivered = Counter.builder("session.sse.events.delivered").register(meters);
        this.readBacks = Counter.builder("session.sse.read.backs")
                .description("reads of new events from storage for live viewers (another replica's writes, gaps)")
                .register(meters);
        this.commitToEmit = io.devopsconsole.platform.metrics.RelayHops.timer(meters, "commit_to_emit");
        Gauge.builder(
                        "session.sse.viewers",
                        channels,
                        c -> c.values().stream()
                                .mapToInt(ch -> ch.viewers.size())
                                .sum())
                .description("Open SSE connections")
                .register(meters);
    }

    void start(@Observes StartupEvent event) {
        subscriber = PgSubscriber.subscriber(vertx, connectOptions).reconnectPolicy(attempts -> 500L);
        subscriber
                .channel(channelName)
                .handler(payload -> {
                    try {
                        int colon = payload.indexOf(':');
                        notified(
                                UUID.fromString(colon < 0 ? payload : payload.substring(0, colon)),
                                colon < 0 ? Long.MAX_VALUE : Long.parseLong(payload.substring(colon + 1)));
                    } catch (IllegalArgumentException e) {
                        LOG.debugf("ignored notification %s", payload);
                    }
                    // (re)subscribed: notifications may have been missed meanwhile, so every watched session re-reads
                })
                .subscribeHandler(() -> channels.keySet().forEach(id -> committed(id, Long.MAX_VALUE)));
        subscriber
                .connect()
                .subscribe()
                .with(
                        v -> LOG.debugf("listening on %s", channelName),
                        f -> LOG.warnf("cannot LISTEN for transcript writes yet (%s); retrying", f.toString()));
        heartbeatTimer = vertx.setPeriodic(config.sse().heartbeat().toMillis(), id -> heartbeat());
    }

    void stop(@Observes ShutdownEvent event) {
        if (heartbeatTimer >= 0) {
            vertx.cancelTimer(heartbeatTimer);
        }
        channels.values().forEach(ch -> ch.viewers.forEach(Viewer::complete));
        if (subscriber != null) {
            subscriber.close().subscribe().with(v -> {}, f -> {});
        }
    }

    /** The number of open viewers (all sessions). */
    public int viewers() {
        return channels.values().stream().mapToInt(ch -> ch.viewers.size()).sum();
    }

    /** One SSE item: a transcript event, or a control message ({@code reconnect}, {@code end}). */
    public record Item(TranscriptEntry entry, String control, String data, long queuedNanos) {

        public Item(TranscriptEntry entry, String control, String data) {
            this(entry, control, data, 0);
        }
    }

    /**
     * The events of a session after {@code after}, from storage and then live, each exactly once
     * and in seq order; ends when the session ends (after its final status) or when the viewer
     * falls too far behind.
     */
    public Multi<Item> subscribe(UUID sessionId, long after) {
        return Multi.createFrom().emitter(emitter -> {
            Channel channel = channels.computeIfAbsent(sessionId, Channel::new);
            Viewer viewer = new Viewer(channel, emitter, after);
            channel.join(viewer);
            // a comment line at once: the answer's headers and first byte leave now, so a client (and any proxy on
            // the way) knows the stream is open before the first event — not at the first idle heartbeat
            viewer.heartbeatIfIdle(System.nanoTime(), 0);
            emitter.onRequest(n -> viewer.drain());
            emitter.onTermination(() -> channel.leave(viewer));
            viewer.replay();
        });
    }

    /** A local store in flight for a session: how many, since when, the newest seq notified meanwhile. */
    private static final class LocalWrite {
        int inFlight;
        final long since = System.nanoTime();
        long notified = -1;
    }

    /**
     * This replica starts storing records of these sessions: until {@link #stored} the commit
     * notifications of their writes are held, since {@link #delivered} hands the events over
     * without reading them back (a notification can arrive before the store's own answer).
     */
    public void storing(java.util.Collection<UUID> sessionIds) {
        synchronized (localWrites) {
            for (UUID id : sessionIds) {
                localWrites.computeIfAbsent(id, k -> new LocalWrite()).inFlight++;
            }
        }
    }

    /** The store begun by {@link #storing} ended (stored, isolated or failed): held notifications go on. */
    public void stored(java.util.Collection<UUID> sessionIds) {
        for (UUID id : sessionIds) {
            long notified = -1;
            synchronized (localWrites) {
                LocalWrite w = localWrites.get(id);
                if (w != null && --w.inFlight <= 0) {
                    localWrites.remove(id);
                    notified = w.notified;
                }
            }
            if (notified >= 0) {
                committed(id, notified); // read only what the local delivery did not cover
            }
        }
    }

    /** A commit notification arrived: held while this replica stores the session itself, else acted on. */
    private void notified(UUID sessionId, long lastSeq) {
        synchronized (localWrites) {
            LocalWrite w = localWrites.get(sessionId);
            if (w != null && System.nanoTime() - w.since < LOCAL_WRITE_HOLD_NANOS) {
                w.notified = Math.max(w.notified, lastSeq);
                return;
            }
        }
        committed(sessionId, lastSeq);
    }

    /** A transaction that wrote the session's events up to {@code lastSeq} committed (any replica). */
    private void committed(UUID sessionId, long lastSeq) {
        Channel channel = channels.get(sessionId);
        if (channel != null && !channel.has(lastSeq)) {
            channel.fetch();
        }
    }

    /**
     * Events this replica has just committed: offered to the session's viewers straight away when
     * they continue what the channel has delivered (no read back); otherwise the channel reads.
     */
    public void delivered(UUID sessionId, List<TranscriptEntry> entries) {
        Channel channel = channels.get(sessionId);
        if (channel != null && !entries.isEmpty()) {
            channel.deliver(entries);
        }
    }

    private void heartbeat() {
        long now = System.nanoTime();
        long every = config.sse().heartbeat().toNanos();
        for (Channel channel : channels.values()) {
            for (Viewer viewer : channel.viewers) {
                viewer.heartbeatIfIdle(now, every);
            }
        }
    }

    /** A watched session: its viewers and how far this replica has read its transcript. */
    final class Channel {
        final UUID sessionId;
        final Set<Viewer> viewers = ConcurrentHashMap.newKeySet();
        private long fetchedThrough = -1; // unknown until the first viewer's replay says where storage ends
        private boolean fetching;
        private boolean again;

        Channel(UUID sessionId) {
            this.sessionId = sessionId;
        }

        synchronized void join(Viewer viewer) {
            viewers.add(viewer);
        }

        void leave(Viewer viewer) {
            viewers.remove(viewer);
            synchronized (this) {
                if (viewers.isEmpty()) {
                    channels.remove(sessionId, this);
                }
            }
        }

        synchronized boolean has(long seq) {
            return fetchedThrough >= seq;
        }

        void deliver(List<TranscriptEntry> entries) {
            synchronized (this) {
                if (fetchedThrough < 0 || fetching || entries.get(0).seq() != fetchedThrough + 1) {
                    again = fetching;
                    if (!fetching) {
                        // not contiguous with what was delivered: read from storage instead
                        vertx.runOnContext(this::fetch);
                    }
                    return;
                }
                fetchedThrough = entries.get(entries.size() - 1).seq();
            }
            for (Viewer viewer : viewers) {
                viewer.offer(entries);
            }
        }

        /** A replaying viewer read storage through {@code seq}: live reads need only go on from there. */
        synchronized void seen(long seq) {
            if (fetchedThrough < 0) {
                fetchedThrough = seq;
            }
        }

        void fetch() {
            long from;
            synchronized (this) {
                if (fetching) {
                    again = true;
                    return;
                }
                if (fetchedThrough < 0) {
                    return; // no viewer has finished its first read yet; its replay covers this write
                }
                fetching = true;
                again = false;
                from = fetchedThrough;
            }
            readBacks.increment();
            transcript
                    .read(sessionId, from, Long.MAX_VALUE, PAGE)
                    .subscribe()
                    .with(
                            entries -> {
                                boolean more;
                                synchronized (this) {
                                    if (!entries.isEmpty()) {
                                        fetchedThrough = Math.max(
                                                fetchedThrough,
                                                entries.get(entries.size() - 1).seq());
                                    }
                                    fetching = false;
                                    more = again || entries.size() == PAGE;
                                }
                                if (!entries.isEmpty()) {
                                    for (Viewer viewer : viewers) {
                                        viewer.offer(entries);
                                    }
                                }
                                if (more) {
                                    fetch();
                                }
                            },
                            failure -> {
                                synchronized (this) {
                                    fetching = false;
                                }
                                io.devopsconsole.platform.logging.SessionLogs.warn(
                                        LOG,
                                        sessionId,
                                        "reading new events of session %s failed (%s); retrying",
                                        sessionId,
                                        failure.toString());
                                vertx.setTimer(500, id -> fetch());
                            });
        }
    }

    /** One SSE connection. */
    final class Viewer {
        private final Channel channel;
        private final MultiEmitter<? super Item> emitter;
        private ArrayDeque<Item> queue; // allocated on first use: idle viewers stay small
        private List<TranscriptEntry> heldWhileReplaying;
        private long lastQueued;
        private boolean replaying = true;
        private boolean droppedHold;
        private boolean draining;
        private boolean awaitingDrain;
        private boolean completed;
        private boolean closing;
        private long lastEmitNanos = System.nanoTime();

        Viewer(Channel channel, MultiEmitter<? super Item> emitter, long after) {
            this.channel = channel;
            this.emitter = emitter;
            this.lastQueued = after;
        }

        /** Reads storage after the last queued event, page by page, then goes live. */
        void replay() {
            long from;
            synchronized (this) {
                from = lastQueued;
            }
            int page = Math.min(PAGE, config.sse().buffer());
            transcript
                    .read(channel.sessionId, from, Long.MAX_VALUE, page)
                    .subscribe()
                    .with(
                            entries -> {
                                if (entries.size() == page) {
                                    synchronized (this) {
                                        awaitingDrain = true; // the next page is read once this one is mostly delivered
                                    }
                                    enqueue(entries, false);
                                    return;
                                }
                                enqueue(entries, false);
                                List<TranscriptEntry> held;
                                synchronized (this) {
                                    if (droppedHold) {
                                        droppedHold = false;
                                        vertx.runOnContext(this::replay);
                                        return;
                                    }
                                    channel.seen(lastQueued);
                                    held = heldWhileReplaying;
                                    heldWhileReplaying = null;
                                    replaying = false;
                                }
                                if (held != null) {
                                    offer(held);
                                }
                                channel.fetch(); // anything committed since is read by the channel
                            },
                            failure -> emitter.fail(failure));
        }

        void offer(List<TranscriptEntry> entries) {
            synchronized (this) {
                if (replaying) {
                    if (heldWhileReplaying == null) {
                        heldWhileReplaying = new java.util.ArrayList<>();
                    }
                    heldWhileReplaying.addAll(entries);
                    if (heldWhileReplaying.size() > config.sse().buffer()) {
                        heldWhileReplaying = null; // replay reads storage anyway; drop, then read again
                        droppedHold = true;
                    }
                    return;
                }
                if (!entries.isEmpty() && entries.get(0).seq() > lastQueued + 1) {
                    // behind what the channel offers (a dropped hold): catch up from storage first
                    replaying = true;
                    heldWhileReplaying = new java.util.ArrayList<>(entries);
                    vertx.runOnContext(this::replay);
                    return;
                }
            }
            enqueue(entries, true);
        }

        /** Queues events not sent yet; live events beyond the buffer make the viewer reconnect. */
        private void enqueue(List<TranscriptEntry> entries, boolean live) {
            synchronized (this) {
                if (closing) {
                    return;
                }
                if (queue == null) {
                    queue = new ArrayDeque<>();
                }
                for (TranscriptEntry e : entries) {
                    if (e.seq() <= lastQueued) {
                        continue;
                    }
                    // a live event, just committed: timed to its emission (issue 24); a replayed one is not
                    queue.add(new Item(e, null, null, live ? System.nanoTime() : 0));
                    lastQueued = e.seq();
                    if (ends(e)) {
                        queue.add(new Item(
                                null, "end", "{\"reason\":\"session ended\",\"last_event_id\":" + e.seq() + "}"));
                        closing = true;
                        break;
                    }
                }
                if (live && queue.size() > config.sse().buffer()) {
                    overflows.increment();
                    long resumeAfter = lastQueued - queue.size();
                    queue.clear();
                    closing = true;
                    queue.add(new Item(
                            null,
                            "reconnect",
                            "{\"reason\":\"this viewer fell too far behind\"," + "\"last_event_id\":" + resumeAfter
                                    + "}"));
                    lastQueued = resumeAfter;
                }
            }
            drain();
        }

        void drain() {
            boolean complete = false;
            boolean readMore = false;
            synchronized (this) {
                // emit() may ask for more at once (same thread): that nested drain is this loop's job
                if (queue == null || draining) {
                    return;
                }
                draining = true;
                try {
                    while (!queue.isEmpty()
                            && (emitter.requested() > 0 || queue.peek().control() != null)) {
                        Item item = queue.poll();
                        emitter.emit(item);
                        lastEmitNanos = System.nanoTime();
                        if (item.entry() != null) {
                            delivered.increment();
                            if (item.queuedNanos() != 0) {
                                commitToEmit.record(lastEmitNanos - item.queuedNanos(), TimeUnit.NANOSECONDS);
                            }
                        }
                    }
                } finally {
                    draining = false;
                }
                complete = queue.isEmpty() && closing && !completed;
                completed |= complete;
                if (awaitingDrain
                        && !closing
                        && queue.size() <= Math.min(PAGE, config.sse().buffer()) / 2) {
                    awaitingDrain = false;
                    readMore = true;
                }
            }
            if (complete) {
                emitter.complete();
            }
            if (readMore) {
                vertx.runOnContext(this::replay);
            }
        }

        void heartbeatIfIdle(long now, long every) {
            synchronized (this) {
                if (now - lastEmitNanos < every || closing || emitter.isCancelled()) {
                    return;
                }
                lastEmitNanos = now;
                emitter.emit(new Item(null, "heartbeat", null));
            }
        }

        void complete() {
            emitter.complete();
        }

        private boolean ends(TranscriptEntry e) {
            if (!"status".equals(e.kind())) {
                return false;
            }
            try {
                String state =
                        EventJson.mapper().readTree(e.body()).path("state").asText();
                return state.equals("stopped") || state.equals("failed");
            } catch (java.io.IOException ex) {
                return false;
            }
        }
    }
}
