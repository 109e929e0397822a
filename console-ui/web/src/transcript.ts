/**
 * The session view's model: transcript entries (session-service's SSE data, in seq order) folded
 * into the blocks the chat shows — operator messages, agent messages growing delta by delta,
 * command executions with their output, file changes with diffs, approval cards that change when
 * decided (here or elsewhere), errors (never dropped), worker notices, and token usage. `thinking`
 * is true from the operator's message until the agent's first output of the turn.
 *
 * The stream records' payloads are typed by `generated/stream-records.ts`, generated from the
 * contract's Java types (libs/event-contracts StreamPayload): what a record means — a turn ended
 * and how, a command completed and how — is decided by the runner and read here, not re-derived.
 */

import type {
  AgentMessageDelta, ApprovalRequested, ApprovalResolved, CommandOutcome, CommandOutputDelta, FileChange,
  FileChangeRecord, ItemCompletedAgentMessage, ItemCompletedCommand, ItemCompletedFileChanges, ItemStartedCommand,
  AttachmentCopied, Risk, StreamError, StreamGap, StreamPayloads, TokenUsage, TurnEnded, WorkerState,
} from './generated/stream-records';

export interface Entry {
  seq: number;
  kind: string;
  actor?: string;
  turn_id?: string | null;
  item_id?: string | null;
  /** when the record was made (the runner's read of the worker's line for stream records) */
  at?: string;
  body: Record<string, unknown>;
}

export type Block =
  | { type: 'operator'; seq: number; author: string; text: string }
  | { type: 'attachment'; id: string; name: string; mediaType: string; size: number; by: string;
      state: 'sent' | 'copied' | 'failed'; path: string | null; message: string | null }
  | { type: 'agent'; key: string; text: string; done: boolean }
  | { type: 'command'; key: string; itemId: string; command: string; cwd: string; output: string;
      /** how many characters the whole output had, as the runner reported at the end */
      outputChars: number | null;
      /** the whole output, once asked for (with whether even that is not all of it) */
      whole: { text: string; truncated: boolean } | null; exitCode: number | null;
      durationMs: number | null; durationMeasured: boolean; running: boolean; outcome: CommandOutcome | null;
      /** the command waits for a person's decision (it is not running yet) */
      awaitingApproval: boolean }
  | { type: 'file_change'; key: string; changes: { path: string; kind: string; diff: string }[] }
  | { type: 'approval'; requestId: string; kind: string; summary: string; reason: string; risk: Risk | '';
      decision: string | null; decidedBy: string | null }
  | { type: 'error'; seq: number; message: string }
  | { type: 'notice'; seq: number; message: string };

export interface Tokens {
  turn: number | null;
  thread: number | null;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
/** The payload of a stream record of this kind, as the contract types it. */
const payload = <K extends keyof StreamPayloads>(_kind: K, body: Record<string, unknown>) =>
  body as unknown as StreamPayloads[K];

export class Transcript {
  readonly blocks: Block[] = [];
  thinking = false;
  tokens: Tokens = { turn: null, thread: null };
  /** The session's state as its last status record said (active, waiting_approval, stopped, ...). */
  state: string | null = null;
  /** Where the worker runs, as its last report said (null until a worker reported a target). */
  worker: { targetName: string; workingDirectory: string | null } | null = null;
  /** The last error of each turn not yet ended (its end repeats it). */
  private readonly errorOfTurn = new Map<string, string>();
  private readonly byKey = new Map<string, Block>();

  apply(e: Entry): void {
    const b = e.body ?? {};
    const key = `${e.turn_id ?? ''}:${e.item_id ?? ''}`;
    switch (e.kind) {
      case 'operator_message':
        this.blocks.push({ type: 'operator', seq: e.seq, author: str(e.actor), text: str(b.text) });
        this.thinking = true;
        break;
      case 'status':
        this.state = str(b.state) || this.state;
        if (['stopped', 'failed', 'completed'].includes(str(b.state))) {
          this.thinking = false;
        }
        break;
      case 'turn_started':
        this.thinking = true;
        break;
      case 'agent_message_delta': {
        this.thinking = false;
        const block = this.agent(key);
        block.text += str((b as AgentMessageDelta).delta);
        break;
      }
      case 'item_started':
      case 'item_completed': {
        const item = payload(e.kind as 'item_started' | 'item_completed', b);
        const done = e.kind === 'item_completed';
        if (item.item_type === 'agent_message') {
          this.thinking = false;
          const block = this.agent(key);
          if (done) {
            block.text = str((item as ItemCompletedAgentMessage).text) || block.text;
            block.done = true;
          }
        } else if (item.item_type === 'command_execution') {
          this.thinking = false;
          const started = item as ItemStartedCommand;
          const block = this.command(key, str(started.command), str(started.cwd), e.item_id);
          if (done) {
            const c = item as ItemCompletedCommand;
            block.running = false;
            block.outcome = c.outcome ?? null;
            block.exitCode = num(c.exit_code);
            block.durationMs = num(c.duration_ms);
            // codex gives none for many commands: the runner's own measurement is labelled as such
            block.durationMeasured = c.duration_source === 'measured_by_runner';
            block.outputChars = num(c.output_chars);
            if (typeof c.output === 'string' && c.output.length >= block.output.length) {
              block.output = c.output;
            }
          }
        } else if (item.item_type === 'file_change' && done) {
          const changes = (item as ItemCompletedFileChanges).changes;
          if (Array.isArray(changes)) {
            this.fileChanges(key, changes);
          }
        }
        break;
      }
      case 'command_output_delta':
        this.command(key, '', '', e.item_id).output += str((b as CommandOutputDelta).delta);
        break;
      case 'file_change':
        this.fileChanges(key, [b as FileChangeRecord]);
        break;
      case 'approval_requested': {
        const a = b as ApprovalRequested;
        const id = str(a.request_id);
        if (!this.byKey.has(`approval:${id}`)) {
          const card: Block = { type: 'approval', requestId: id, kind: str(a.approval_kind),
            summary: str(a.command) || (Array.isArray(a.changes) ? `change ${a.changes.length} file(s)` : ''),
            reason: str(a.reason), risk: a.risk ?? '', decision: null, decidedBy: null };
          this.byKey.set(`approval:${id}`, card);
          this.blocks.push(card);
        }
        const command = this.byKey.get(`command:${key}`);
        if (command && command.type === 'command' && command.running) {
          command.awaitingApproval = true;
        }
        break;
      }
      case 'approval_resolved':
      case 'approval_decided': {
        const card = this.byKey.get(`approval:${str((b as ApprovalResolved).request_id)}`);
        if (card && card.type === 'approval') {
          card.decision = str(b.decision);
          card.decidedBy = str(b.decided_by) || card.decidedBy;
        }
        // the decision names the request (turn:item), the runner's resolution the item itself
        const command = this.byKey.get(`command:${str((b as ApprovalResolved).request_id)}`) ?? this.byKey.get(`command:${key}`);
        if (command && command.type === 'command') {
          command.awaitingApproval = false;
        }
        break;
      }
      case 'token_usage': {
        const t = b as unknown as TokenUsage;
        this.tokens = { turn: num(t.turn_total_tokens), thread: num(t.total_tokens) };
        break;
      }
      case 'turn_completed':
      case 'turn_interrupted':
      case 'turn_failed':
      case 'turn_timed_out': {
        // how the turn ended is the runner's decision, carried by the record
        const end = b as unknown as TurnEnded;
        const outcome = end.outcome ?? e.kind.slice('turn_'.length);
        this.thinking = false;
        this.finishItems();
        if (outcome === 'interrupted') {
          this.blocks.push({ type: 'notice', seq: e.seq, message: 'The turn was interrupted.' });
        } else if (outcome === 'failed' || outcome === 'timed_out') {
          // codex reports a failure as an error and then as the turn's end, with the same words: shown once
          const message = str(end.message) || e.kind.replace('_', ' ');
          if (this.errorOfTurn.get(e.turn_id ?? '') !== message) {
            this.blocks.push({ type: 'error', seq: e.seq, message });
          }
        }
        this.errorOfTurn.delete(e.turn_id ?? '');
        break;
      }
      case 'error': {
        const err = b as StreamError;
        const message = str(err.message) || 'the agent reported an error';
        if (err.will_retry === true) {
          this.blocks.push({ type: 'notice', seq: e.seq, message: `${message} (retrying)` });
        } else {
          this.blocks.push({ type: 'error', seq: e.seq, message });
          this.errorOfTurn.set(e.turn_id ?? '', message);
        }
        break;
      }
      case 'system_note':
        // the console's own notes: a runner that stopped answering, records that never arrived, an interrupt asked for
        this.blocks.push({ type: str(b.code) === 'runner_lost' ? 'error' : 'notice', seq: e.seq, message: str(b.text) });
        break;
      case 'stream_gap': {
        // part of an item ran while no runner was attached: what was read back replaces what this view holds
        const gap = b as unknown as StreamGap;
        if (gap.recovered === true && gap.item_type === 'agent_message' && typeof gap.text === 'string') {
          this.agent(key).text = gap.text;
        } else if (gap.recovered === true && gap.item_type === 'command_execution' && typeof gap.output === 'string') {
          this.command(key, '', '', e.item_id).output = gap.output;
        }
        this.blocks.push({ type: 'notice', seq: e.seq,
          message: str(gap.message) || 'part of this item was produced while no runner was attached' });
        break;
      }
      case 'attachment_added': {
        // the operator attached a file: the runner puts it on the host and says so (attachment_copied)
        const id = str(b.attachment_id);
        if (!this.byKey.has(`attachment:${id}`)) {
          const block: Block = { type: 'attachment', id, name: str(b.name), mediaType: str(b.media_type), size: num(b.size_bytes) ?? 0,
            by: str(b.uploaded_by) || str(e.actor), state: 'sent', path: null, message: null };
          this.byKey.set(`attachment:${id}`, block);
          this.blocks.push(block);
        }
        break;
      }
      case 'attachment_copied': {
        const a = b as unknown as AttachmentCopied;
        const block = this.byKey.get(`attachment:${str(a.attachment_id)}`);
        if (block && block.type === 'attachment') {
          block.state = a.state === 'copied' ? 'copied' : 'failed';
          block.path = a.path ? str(a.path) : null;
          block.message = a.message ? str(a.message) : null;
        }
        break;
      }
      case 'worker_state': {
        const w = b as WorkerState;
        const state = str(w.state);
        if (w.target_name) {
          this.worker = { targetName: str(w.target_name), workingDirectory: w.working_directory ? str(w.working_directory) : null };
        }
        if (['detached', 'reattaching', 'reattached', 'command_stuck', 'lost', 'failed'].includes(state)) {
          this.blocks.push({ type: state === 'lost' || state === 'failed' ? 'error' : 'notice', seq: e.seq,
            message: `worker ${state}${w.message ? `: ${str(w.message)}` : ''}` } as Block);
        }
        break;
      }
      default:
        break; // session states and kinds this view does not show
    }
  }

  private agent(key: string): Extract<Block, { type: 'agent' }> {
    let block = this.byKey.get(`agent:${key}`);
    if (!block) {
      block = { type: 'agent', key, text: '', done: false };
      this.byKey.set(`agent:${key}`, block);
      this.blocks.push(block);
    }
    return block as Extract<Block, { type: 'agent' }>;
  }

  private command(key: string, command: string, cwd: string, itemId: string | null | undefined): Extract<Block, { type: 'command' }> {
    let block = this.byKey.get(`command:${key}`) as Extract<Block, { type: 'command' }> | undefined;
    if (!block) {
      block = { type: 'command', key, itemId: itemId ?? '', command, cwd, output: '', outputChars: null, whole: null,
        exitCode: null, durationMs: null,
        durationMeasured: false, running: true, outcome: null, awaitingApproval: false };
      this.byKey.set(`command:${key}`, block);
      this.blocks.push(block);
    }
    if (command && !block.command) {
      block.command = command;
      block.cwd = cwd;
    }
    return block;
  }

  private fileChanges(key: string, changes: (FileChange | FileChangeRecord)[]): void {
    let block = this.byKey.get(`files:${key}`) as Extract<Block, { type: 'file_change' }> | undefined;
    if (!block) {
      block = { type: 'file_change', key, changes: [] };
      this.byKey.set(`files:${key}`, block);
      this.blocks.push(block);
    }
    for (const c of changes) {
      const path = str(c.path);
      const change = { path, kind: str(c.kind), diff: str(c.diff) };
      const i = block.changes.findIndex((x) => x.path === path);
      if (i >= 0) {
        block.changes[i] = change;
      } else {
        block.changes.push(change);
      }
    }
  }

  private finishItems(): void {
    for (const b of this.blocks) {
      if (b.type === 'agent') {
        b.done = true;
      } else if (b.type === 'command' && b.running) {
        b.running = false;
        b.outcome = b.outcome ?? 'incomplete';
      }
    }
  }
}
