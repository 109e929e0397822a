/**
 * A session's live transcript over SSE (session-service via the BFF). Each event's id is its seq;
 * the cursor remembers the last one shown, so a dropped connection or a server-requested reconnect
 * resumes with `?after=<last>` and nothing is shown twice or skipped. The cursor lives as long as
 * the page: a view opened afresh (a reload, another tab) replays the transcript from the start.
 * Control events: `reconnect` (the server asks us to come back from our last id) and `end`.
 */

export interface StreamEvents {
  record(seq: number, data: unknown): void;
  ended?(): void;
  problem?(message: string): void;
}

function pageMemory(): Pick<Storage, 'getItem' | 'setItem'> {
  const m = new Map<string, string>();
  return { getItem: (k) => m.get(k) ?? null, setItem: (k, v) => { m.set(k, v); } };
}

export class StreamCursor {
  private readonly key: string;

  constructor(sessionId: string, private readonly store: Pick<Storage, 'getItem' | 'setItem'> = pageMemory()) {
    this.key = `devops-console.stream.${sessionId}`;
  }

  get last(): number {
    const v = Number(this.store.getItem(this.key) ?? '0');
    return Number.isFinite(v) && v > 0 ? v : 0;
  }

  /** True when the record is new (and remembers it); false for one already shown. */
  accept(seq: number): boolean {
    if (!Number.isInteger(seq) || seq <= this.last) {
      return false;
    }
    this.store.setItem(this.key, String(seq));
    return true;
  }
}

type SourceFactory = (url: string) => EventSource;

/** Opens a session's stream; returns a function that closes it. */
export function openStream(sessionId: string, on: StreamEvents, cursor = new StreamCursor(sessionId),
                           source: SourceFactory = (url) => new EventSource(url, { withCredentials: true })): () => void {
  return openStreamAt((after) => `/api/sessions/${encodeURIComponent(sessionId)}/stream?after=${after}`, on, cursor, source);
}

/** Opens any transcript-shaped stream (a session's, the coordinator conversation's) at `url(after)`. */
export function openStreamAt(url: (after: number) => string, on: StreamEvents, cursor: StreamCursor,
                             source: SourceFactory = (u) => new EventSource(u, { withCredentials: true })): () => void {
  let current: EventSource | null = null;
  let closed = false;
  const connect = () => {
    if (closed) {
      return;
    }
    const es = source(url(cursor.last));
    current = es;
    es.onmessage = (e: MessageEvent) => {
      const seq = Number(e.lastEventId);
      if (cursor.accept(seq)) {
        let data: unknown = e.data;
        try {
          data = JSON.parse(e.data);
        } catch {
          on.problem?.(`record ${seq} is not JSON`);
        }
        on.record(seq, data);
      }
    };
    es.addEventListener('reconnect', () => {
      es.close();
      connect();
    });
    es.addEventListener('end', () => {
      es.close();
      closed = true;
      on.ended?.();
    });
    es.onerror = () => {
      // the browser reconnects by itself with Last-Event-ID; say so, never swallow it
      on.problem?.('the live stream was interrupted; reconnecting');
    };
  };
  connect();
  return () => {
    closed = true;
    current?.close();
  };
}
