import { describe, expect, it } from 'vitest';
import { Transcript, type Entry } from './transcript';
import type { StreamKind } from './generated/stream-records';
// the contract's shared examples (libs/event-contracts): the same records the runner's mapping and
// session-service's storage are tested with
import aTurn from '../../../libs/event-contracts/src/main/resources/stream-fixtures/a-turn.json';
import trouble from '../../../libs/event-contracts/src/main/resources/stream-fixtures/trouble.json';

interface FixtureRecord {
  stream_seq: number;
  kind: StreamKind;
  turn_id: string | null;
  item_id: string | null;
  payload: Record<string, unknown>;
}

/** A record as session-service's stream delivers it: a transcript entry whose body is the payload. */
const entries = (records: FixtureRecord[]): Entry[] => records.map((r) => ({
  seq: r.stream_seq, kind: r.kind, actor: 'agent-runner', turn_id: r.turn_id, item_id: r.item_id, body: r.payload,
}));

const replay = (records: FixtureRecord[]): Transcript => {
  const t = new Transcript();
  for (const e of entries(records)) {
    t.apply(e);
  }
  return t;
};

describe('the shared stream fixtures', () => {
  it('show a whole turn: message, an approved command with its outcome, a file change, tokens', () => {
    const t = replay(aTurn as FixtureRecord[]);
    expect(t.thinking).toBe(false);
    expect(t.blocks).toContainEqual({ type: 'agent', key: 'turn-1:msg_1', text: "I'll run the tests.", done: true });
    expect(t.blocks).toContainEqual(expect.objectContaining({ type: 'command', command: 'npm test', cwd: '/srv/app',
      output: '> app@1.0.0 test\n3 passing (41ms)\n', exitCode: 0, durationMs: 1830, running: false, outcome: 'succeeded' }));
    expect(t.blocks).toContainEqual(expect.objectContaining({ type: 'approval', requestId: 'turn-1:call_1',
      risk: 'elevated', decision: 'accept' }));
    expect(t.blocks).toContainEqual(expect.objectContaining({ type: 'file_change',
      changes: [{ path: 'README.md', kind: 'update', diff: '@@ -1 +1 @@\n-# app\n+# app (tested)\n' }] }));
    expect(t.tokens).toEqual({ turn: 5432, thread: 5432 });
    expect(t.blocks.filter((b) => b.type === 'error')).toEqual([]);
  });

  it('show trouble as the runner decided it: a declined command, an interrupted one with what was read back, every error', () => {
    const t = replay(trouble as FixtureRecord[]);
    expect(t.blocks).toContainEqual(expect.objectContaining({ type: 'approval', risk: 'destructive', decision: 'decline' }));
    expect(t.blocks).toContainEqual(expect.objectContaining({ type: 'command', command: 'sudo rm -rf /var/cache/app',
      running: false, outcome: 'declined', exitCode: null }));
    expect(t.blocks).toContainEqual(expect.objectContaining({ type: 'command', command: 'seq 1 3000', running: false,
      outcome: 'interrupted', output: '2998\n2999\n3000\ndone\n' }));
    const errors = t.blocks.filter((b) => b.type === 'error').map((b) => (b as { message: string }).message);
    expect(errors).toEqual([
      'the model provider refused the request (401)',
      'no output for 900 s',
      expect.stringContaining('moved to the dead-letter topic'),
    ]);
    const notices = t.blocks.filter((b) => b.type === 'notice').map((b) => (b as { message: string }).message);
    expect(notices).toContain('The turn was interrupted.');
    expect(notices).toContain('stream disconnected before completion (retrying)'); // codex tries again: not a failure
    expect(notices).toContainEqual(expect.stringContaining('worker command_stuck'));
    expect(notices).toContainEqual(expect.stringContaining('missing from the live stream'));
    expect(t.thinking).toBe(false);
  });

  it('cover every kind of stream record', () => {
    const kinds = new Set([...(aTurn as FixtureRecord[]), ...(trouble as FixtureRecord[])].map((r) => r.kind));
    const all: Record<StreamKind, true> = { agent_message_delta: true, item_started: true, item_completed: true,
      command_output_delta: true, file_change: true, approval_requested: true, approval_resolved: true, token_usage: true,
      turn_started: true, turn_completed: true, turn_failed: true, turn_timed_out: true, turn_interrupted: true,
      worker_state: true, error: true, stream_gap: true, attachment_copied: true };
    expect([...kinds].sort()).toEqual(Object.keys(all).sort());
  });
});
