import { describe, expect, it } from 'vitest';
import { Conversation } from './conversation';

const e = (seq: number, kind: string, body: Record<string, unknown>, actor?: string) => ({ seq, kind, actor, body });

describe('the coordinator conversation', () => {
  it('folds a turn: message, thinking, status, tool card, streamed answer', () => {
    const c = new Conversation();
    c.apply(e(1, 'operator_message', { text: 'list my servers' }, 'olga'));
    expect(c.thinking).toBe(true);
    c.apply(e(2, 'coordinator_status', { text: 'thinking …' }));
    c.apply(e(3, 'coordinator_status', { text: 'list targets …' }));
    c.apply(e(4, 'coordinator_tool_result', { tool: 'list_targets', outcome: 'ok', status: 200, text: 'fleet-1',
      card: { title: 'Targets', rows: ['fleet-1 — 10.0.0.1:22'] } }));
    c.apply(e(5, 'agent_message_delta', { delta: 'You have ' }));
    c.apply(e(6, 'agent_message_delta', { delta: 'one server.' }));
    c.apply(e(7, 'item_completed', { item_type: 'agent_message', text: 'You have one server.' }));
    c.apply(e(8, 'turn_completed', {}));
    expect(c.thinking).toBe(false);
    expect(c.blocks.map((b) => b.type)).toEqual(['operator', 'status', 'status', 'tool', 'agent']);
    const agent = c.blocks[4];
    expect(agent.type === 'agent' && agent.text).toBe('You have one server.');
    const tool = c.blocks[3];
    expect(tool.type === 'tool' && tool.rows).toEqual(['fleet-1 — 10.0.0.1:22']);
  });

  it('keeps a proposal pending until it is decided, and a refused tool says why', () => {
    const c = new Conversation();
    c.apply(e(1, 'coordinator_tool_result', { tool: 'rename_target', outcome: 'refused', status: 403, text: 'forbidden' }));
    c.apply(e(2, 'coordinator_proposal', { proposal_id: 'p1', summary: 'trust host key SHA256:x for web-3',
      phrase: 'trust web-3', expires_at: '2030-01-01T00:00:00Z' }));
    expect(c.pending().map((p) => p.phrase)).toEqual(['trust web-3']);
    c.apply(e(3, 'coordinator_proposal_decided', { proposal_id: 'p1', decision: 'confirmed', decided_by: 'olga' }));
    expect(c.pending()).toEqual([]);
    const p = c.blocks[1];
    expect(p.type === 'proposal' && [p.state, p.decidedBy]).toEqual(['confirmed', 'olga']);
    const refused = c.blocks[0];
    expect(refused.type === 'tool' && [refused.outcome, refused.status]).toEqual(['refused', 403]);
  });

  it('relays a worker answer as its own block and never drops an unknown record or a failed turn', () => {
    const c = new Conversation();
    c.apply(e(1, 'coordinator_relay', { project: 'payments', delta: 'Tests ' }));
    c.apply(e(2, 'coordinator_relay', { project: 'payments', delta: 'pass.' }));
    c.apply(e(3, 'turn_failed', { message: 'model unavailable' }));
    c.apply(e(4, 'something_new', {}));
    expect(c.blocks.map((b) => b.type)).toEqual(['relay', 'error', 'note']);
    const relay = c.blocks[0];
    expect(relay.type === 'relay' && relay.text).toBe('Tests pass.');
    const err = c.blocks[1];
    expect(err.type === 'error' && err.message).toContain('model unavailable');
  });

  it('keeps hostile text as text', () => {
    const c = new Conversation();
    const hostile = '\u202Egnp.exe $(rm -rf /) <img src=x onerror=alert(1)> \u001b[31mred';
    c.apply(e(1, 'operator_message', { text: hostile }, 'olga'));
    const op = c.blocks[0];
    expect(op.type === 'operator' && op.text).toBe(hostile);
  });
});
