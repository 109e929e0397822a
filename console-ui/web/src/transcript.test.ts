import { describe, expect, it } from 'vitest';
import { Transcript, type Entry } from './transcript';

let seq = 0;
const e = (kind: string, body: Record<string, unknown> = {}, item: string | null = null, actor = 'runner'): Entry =>
  ({ seq: ++seq, kind, actor, turn_id: 't1', item_id: item, body });

describe('the session view model', () => {
  it('echoes the operator, thinks until the first delta, and grows the agent message', () => {
    const t = new Transcript();
    t.apply(e('operator_message', { text: 'Run the tests' }, null, 'olga'));
    expect(t.thinking).toBe(true);
    t.apply(e('turn_started'));
    expect(t.thinking).toBe(true);
    t.apply(e('agent_message_delta', { delta: 'Running ' }, 'm1'));
    expect(t.thinking).toBe(false);
    t.apply(e('agent_message_delta', { delta: 'them now.' }, 'm1'));
    expect(t.blocks).toEqual([
      { type: 'operator', seq: 1, author: 'olga', text: 'Run the tests' },
      { type: 'agent', key: 't1:m1', text: 'Running them now.', done: false },
    ]);
    t.apply(e('item_completed', { item_type: 'agent_message', text: 'Running them now.' }, 'm1'));
    expect(t.blocks[1]).toMatchObject({ done: true, text: 'Running them now.' });
  });

  it('shows the console notes and replaces an item\'s text with what was read back after a gap', () => {
    const t = new Transcript();
    t.apply(e('agent_message_delta', { delta: 'Hel' }, 'm9'));
    t.apply(e('system_note', { text: 'the agent-runner r1 driving this session stopped responding', code: 'runner_lost',
      runner: 'r1' }));
    t.apply(e('stream_gap', { item_type: 'agent_message', recovered: true, text: 'Hello, world',
      message: 'what the item produced while no runner was attached was read back from the thread' }, 'm9'));
    t.apply(e('agent_message_delta', { delta: '!' }, 'm9'));
    expect(t.blocks[0]).toMatchObject({ type: 'agent', text: 'Hello, world!' });
    expect(t.blocks[1]).toMatchObject({ type: 'error', message: 'the agent-runner r1 driving this session stopped responding' });
    expect(t.blocks[2]).toMatchObject({ type: 'notice' });
  });

  it('labels a duration the runner measured (codex gave none) as measured', () => {
    const t = new Transcript();
    t.apply(e('item_started', { item_type: 'command_execution', command: 'sleep 2', cwd: '/srv' }, 'd1'));
    t.apply(e('item_completed', { item_type: 'command_execution', command: 'sleep 2', cwd: '/srv', exit_code: 0,
      duration_ms: 2004, duration_source: 'measured_by_runner', output: '' }, 'd1'));
    expect(t.blocks[0]).toMatchObject({ durationMs: 2004, durationMeasured: true, running: false });
  });

  it('shows a command with its approval card, live output and result', () => {
    const t = new Transcript();
    t.apply(e('item_started', { item_type: 'command_execution', command: 'npm test', cwd: '/srv/app' }, 'c1'));
    t.apply(e('approval_requested', { request_id: 't1:c1', approval_kind: 'command', command: 'npm test', reason: 'tests',
      risk: 'elevated' }, 'c1'));
    t.apply(e('approval_requested', { request_id: 't1:c1', approval_kind: 'command', command: 'npm test' }, 'c1'));
    expect(t.blocks.filter((b) => b.type === 'approval')).toHaveLength(1);
    expect(t.blocks[0]).toMatchObject({ type: 'command', running: true, awaitingApproval: true });
    t.apply(e('approval_decided', { request_id: 't1:c1', decision: 'approved', decided_by: 'alice' }, null, 'alice'));
    expect(t.blocks[0]).toMatchObject({ type: 'command', running: true, awaitingApproval: false });
    t.apply(e('command_output_delta', { delta: 'ok 1\n' }, 'c1'));
    t.apply(e('command_output_delta', { delta: 'ok 2\n' }, 'c1'));
    t.apply(e('item_completed', { item_type: 'command_execution', command: 'npm test', cwd: '/srv/app', exit_code: 0,
      duration_ms: 5120, output: 'ok 1\nok 2\n', output_chars: 10, outcome: 'succeeded' }, 'c1'));
    expect(t.blocks).toEqual([
      { type: 'command', key: 't1:c1', itemId: 'c1', command: 'npm test', cwd: '/srv/app', output: 'ok 1\nok 2\n',
        outputChars: 10, whole: null, exitCode: 0,
        durationMs: 5120, durationMeasured: false, running: false, outcome: 'succeeded', awaitingApproval: false },
      { type: 'approval', requestId: 't1:c1', kind: 'command', summary: 'npm test', reason: 'tests', risk: 'elevated',
        decision: 'approved', decidedBy: 'alice' },
    ]);
  });

  it('keeps file diffs, token usage, and every error and worker problem', () => {
    const t = new Transcript();
    t.apply(e('file_change', { path: 'a.txt', kind: 'add', diff: '+hello' }, 'f1'));
    t.apply(e('item_completed', { item_type: 'file_change', changes: [{ path: 'a.txt', kind: 'add', diff: '+hello\n' },
      { path: 'b.txt', kind: 'update', diff: '-x\n+y' }] }, 'f1'));
    t.apply(e('token_usage', { total_tokens: 300, turn_total_tokens: 150 }));
    t.apply(e('worker_state', { state: 'detached', message: 'SSH dropped' }));
    t.apply(e('worker_state', { state: 'ready' }));
    t.apply(e('error', { message: 'model endpoint answered 500', will_retry: true }));
    t.apply(e('turn_failed', { message: 'stream disconnected' }));
    expect(t.blocks[0]).toEqual({ type: 'file_change', key: 't1:f1', changes: [
      { path: 'a.txt', kind: 'add', diff: '+hello\n' }, { path: 'b.txt', kind: 'update', diff: '-x\n+y' }] });
    expect(t.tokens).toEqual({ turn: 150, thread: 300 });
    expect(t.blocks.slice(1).map((b) => ('message' in b ? `${b.type}: ${b.message}` : b.type))).toEqual([
      'notice: worker detached: SSH dropped', 'notice: model endpoint answered 500 (retrying)', 'error: stream disconnected']);
    expect(t.thinking).toBe(false);
  });

  it('shows a failure once when codex reports it as an error and again as the turn\'s end', () => {
    const t = new Transcript();
    t.apply(e('error', { message: 'We’re currently experiencing high demand', will_retry: false, codex_error: 'internalServerError' }));
    t.apply(e('turn_failed', { outcome: 'failed', message: 'We’re currently experiencing high demand' }));
    // a later turn failing with the same words is a new failure
    t.apply({ seq: ++seq, kind: 'turn_failed', actor: 'runner', turn_id: 't2', item_id: null,
      body: { outcome: 'failed', message: 'We’re currently experiencing high demand' } });
    expect(t.blocks.map((b) => ('message' in b ? `${b.type}: ${b.message}` : b.type))).toEqual([
      'error: We’re currently experiencing high demand', 'error: We’re currently experiencing high demand']);
  });
});

describe('attachments in the transcript', () => {
  it('an attached file is shown once, then as copied or failed by the runner\'s record', () => {
    const t = new Transcript();
    const added = { seq: 1, kind: 'attachment_added', actor: 'olga', body: { attachment_id: 'a1', name: 'n.conf',
      media_type: 'text/plain', size_bytes: 10, uploaded_by: 'olga' } };
    t.apply(added);
    t.apply({ ...added, seq: 2 });
    t.apply({ seq: 3, kind: 'attachment_added', actor: 'olga', body: { attachment_id: 'a2', name: 'm.png', media_type: 'image/png',
      size_bytes: 99, uploaded_by: 'olga' } });
    t.apply({ seq: 4, kind: 'attachment_copied', body: { attachment_id: 'a1', state: 'copied', path: '/srv/.devops-console/attachments/n.conf' } });
    t.apply({ seq: 5, kind: 'attachment_copied', body: { attachment_id: 'a2', state: 'failed', message: 'the host could not be reached' } });
    expect(t.blocks).toEqual([
      { type: 'attachment', id: 'a1', name: 'n.conf', mediaType: 'text/plain', size: 10, by: 'olga', state: 'copied',
        path: '/srv/.devops-console/attachments/n.conf', message: null },
      { type: 'attachment', id: 'a2', name: 'm.png', mediaType: 'image/png', size: 99, by: 'olga', state: 'failed', path: null,
        message: 'the host could not be reached' },
    ]);
  });
});
