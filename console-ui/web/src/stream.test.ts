import { describe, expect, it } from 'vitest';
import { openStream, StreamCursor } from './stream';

class MemoryStorage {
  private readonly map = new Map<string, string>();
  getItem(k: string) { return this.map.get(k) ?? null; }
  setItem(k: string, v: string) { this.map.set(k, v); }
}

class FakeSource extends EventTarget {
  onmessage: ((e: MessageEvent) => void) | null = null;
  onerror: (() => void) | null = null;
  closed = false;
  constructor(readonly url: string) { super(); }
  close() { this.closed = true; }
  emit(seq: number, data: string) { this.onmessage?.(new MessageEvent('message', { data, lastEventId: String(seq) })); }
  control(name: string) { this.dispatchEvent(new Event(name)); }
}

describe('the transcript stream', () => {
  it('shows each record once and resumes after the last one shown, also after a reload', () => {
    const storage = new MemoryStorage();
    const sources: FakeSource[] = [];
    const seen: number[] = [];
    const factory = (url: string) => { const s = new FakeSource(url); sources.push(s); return s as unknown as EventSource; };
    const close = openStream('s-1', { record: (seq) => seen.push(seq) }, new StreamCursor('s-1', storage), factory);
    expect(sources[0].url).toBe('/api/sessions/s-1/stream?after=0');
    sources[0].emit(1, '{"kind":"delta"}');
    sources[0].emit(2, '{"kind":"delta"}');
    sources[0].emit(2, '{"kind":"delta"}'); // a replayed duplicate
    sources[0].emit(1, '{"kind":"delta"}');
    expect(seen).toEqual([1, 2]);
    // the server asks for a reconnect: from the last id shown
    sources[0].control('reconnect');
    expect(sources[0].closed).toBe(true);
    expect(sources[1].url).toBe('/api/sessions/s-1/stream?after=2');
    sources[1].emit(3, '{}');
    close();
    expect(sources[1].closed).toBe(true);
    // a reload: a new page with the same tab storage continues after 3
    openStream('s-1', { record: (seq) => seen.push(seq) }, new StreamCursor('s-1', storage), factory);
    expect(sources[2].url).toBe('/api/sessions/s-1/stream?after=3');
    expect(seen).toEqual([1, 2, 3]);
  });

  it('says when the stream breaks or ends, and reports unreadable records', () => {
    const problems: string[] = [];
    let ended = false;
    let source: FakeSource | null = null;
    openStream('s-2', { record: () => {}, problem: (m) => problems.push(m), ended: () => { ended = true; } },
      new StreamCursor('s-2', new MemoryStorage()), (url) => { source = new FakeSource(url); return source as unknown as EventSource; });
    source!.emit(1, 'not json');
    source!.onerror?.();
    source!.control('end');
    expect(problems).toEqual(['record 1 is not JSON', 'the live stream was interrupted; reconnecting']);
    expect(ended).toBe(true);
    expect(source!.closed).toBe(true);
  });
});
