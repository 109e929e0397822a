/**
 * The coordinator chat's model: the conversation's records (session-service's `/api/coordinator/stream`,
 * in seq order) folded into what the chat shows — the operator's messages, the coordinator's answer
 * growing delta by delta, status lines before and between tool calls, tool results as compact cards,
 * proposals with their confirmation phrase (updated when decided, here or elsewhere), a project
 * worker's answer relayed live, notes and errors (never dropped). `thinking` is true from the
 * operator's message until the coordinator's first output.
 */
import type { Entry } from './transcript';

export type ChatBlock =
  | { type: 'operator'; seq: number; author: string; text: string }
  | { type: 'agent'; key: string; text: string; done: boolean }
  | { type: 'status'; seq: number; text: string }
  | { type: 'tool'; seq: number; tool: string; outcome: string; status: number | null; title: string; text: string;
      rows: string[] }
  | { type: 'proposal'; id: string; summary: string; phrase: string; expiresAt: string; state: string;
      decidedBy: string | null; text: string }
  | { type: 'relay'; key: string; project: string; text: string }
  | { type: 'note'; seq: number; text: string }
  | { type: 'error'; seq: number; message: string };

const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

export class Conversation {
  readonly blocks: ChatBlock[] = [];
  thinking = false;
  private agent: Extract<ChatBlock, { type: 'agent' }> | null = null;
  private relay: Extract<ChatBlock, { type: 'relay' }> | null = null;
  private readonly proposals = new Map<string, Extract<ChatBlock, { type: 'proposal' }>>();

  /** The proposals still waiting for the operator. */
  pending(): Extract<ChatBlock, { type: 'proposal' }>[] {
    return [...this.proposals.values()].filter((p) => p.state === 'pending');
  }

  apply(e: Entry): void {
    const b = e.body ?? {};
    if (e.kind !== 'agent_message_delta' && e.kind !== 'item_completed') {
      this.agent = null;
    }
    if (e.kind !== 'coordinator_relay') {
      this.relay = null;
    }
    switch (e.kind) {
      case 'operator_message':
        this.blocks.push({ type: 'operator', seq: e.seq, author: str(e.actor), text: str(b.text) });
        this.thinking = true;
        return;
      case 'agent_message_delta':
        this.thinking = false;
        if (!this.agent) {
          this.agent = { type: 'agent', key: `a${e.seq}`, text: '', done: false };
          this.blocks.push(this.agent);
        }
        this.agent.text += str(b.delta);
        return;
      case 'item_completed':
        if (this.agent) {
          this.agent.done = true;
          if (str(b.text)) {
            this.agent.text = str(b.text);
          }
        } else if (str(b.text)) {
          this.blocks.push({ type: 'agent', key: `a${e.seq}`, text: str(b.text), done: true });
        }
        this.agent = null;
        return;
      case 'coordinator_status':
        this.blocks.push({ type: 'status', seq: e.seq, text: str(b.text) });
        return;
      case 'coordinator_tool_result': {
        this.thinking = false;
        const card = (b.card ?? {}) as Record<string, unknown>;
        const rows = Array.isArray(card.rows) ? card.rows.map(str) : [];
        this.blocks.push({
          type: 'tool', seq: e.seq, tool: str(b.tool), outcome: str(b.outcome),
          status: typeof b.status === 'number' ? b.status : null, title: str(card.title) || str(b.tool),
          text: str(b.text), rows,
        });
        return;
      }
      case 'coordinator_proposal': {
        this.thinking = false;
        const id = str(b.proposal_id);
        const block: Extract<ChatBlock, { type: 'proposal' }> = {
          type: 'proposal', id, summary: str(b.summary), phrase: str(b.phrase), expiresAt: str(b.expires_at),
          state: 'pending', decidedBy: null, text: str(b.text),
        };
        this.proposals.set(id, block);
        this.blocks.push(block);
        return;
      }
      case 'coordinator_proposal_decided': {
        const p = this.proposals.get(str(b.proposal_id));
        if (p) {
          p.state = str(b.decision);
          p.decidedBy = str(b.decided_by) || null;
        }
        return;
      }
      case 'coordinator_relay':
        this.thinking = false;
        if (!this.relay) {
          this.relay = { type: 'relay', key: `r${e.seq}`, project: str(b.project), text: '' };
          this.blocks.push(this.relay);
        }
        this.relay.text += str(b.delta);
        return;
      case 'coordinator_note':
        this.thinking = false;
        this.blocks.push({ type: 'note', seq: e.seq, text: str(b.text) });
        return;
      case 'turn_completed':
        this.thinking = false;
        return;
      case 'turn_failed':
      case 'turn_timed_out':
      case 'turn_interrupted':
        this.thinking = false;
        this.blocks.push({ type: 'error', seq: e.seq, message: `${e.kind.replace('turn_', 'turn ').replace('_', ' ')}${str(b.message) ? `: ${str(b.message)}` : ''}` });
        return;
      default:
        // a record this console does not know yet: say so rather than drop it
        this.blocks.push({ type: 'note', seq: e.seq, text: `(${e.kind})` });
    }
  }
}
