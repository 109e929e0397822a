// Generated from io.devopsconsole.events.agent.stream.StreamPayload (libs/event-contracts):
// do not edit. Regenerate with: ./mvnw -B -q -pl libs/event-contracts compile exec:java@stream-contract

export type StreamKind =
  | 'agent_message_delta'
  | 'item_started'
  | 'item_completed'
  | 'command_output_delta'
  | 'file_change'
  | 'approval_requested'
  | 'approval_resolved'
  | 'token_usage'
  | 'turn_started'
  | 'turn_completed'
  | 'turn_failed'
  | 'turn_timed_out'
  | 'turn_interrupted'
  | 'worker_state'
  | 'error'
  | 'stream_gap'
  | 'attachment_copied';

export type Risk = 'benign' | 'elevated' | 'destructive';

export type ApprovalKind = 'command' | 'file_change';

export type TurnOutcome = 'completed' | 'failed' | 'timed_out' | 'interrupted';

export type CommandOutcome = 'succeeded' | 'failed' | 'declined' | 'interrupted' | 'incomplete';

export interface AgentMessageDelta {
  delta?: string | null;
  recovered?: boolean | null;
}

export interface CommandOutputDelta {
  delta?: string | null;
  recovered?: boolean | null;
}

export interface FileChangeRecord {
  path?: string | null;
  kind?: string | null;
  diff?: string | null;
}

export interface ItemStartedAgentMessage {
  item_type: 'agent_message';
}

export interface ItemStartedCommand {
  item_type: 'command_execution';
  command?: string | null;
  cwd?: string | null;
}

export interface ItemStartedFileChanges {
  item_type: 'file_change';
  changes?: FileChange[] | null;
}

export interface ItemStartedOther {
  item_type: string;
}

export interface ItemCompletedAgentMessage {
  item_type: 'agent_message';
  status?: string | null;
  text?: string | null;
}

export interface ItemCompletedCommand {
  item_type: 'command_execution';
  status?: string | null;
  outcome?: CommandOutcome | null;
  command?: string | null;
  cwd?: string | null;
  exit_code?: number | null;
  duration_ms?: number | null;
  duration_source?: string | null;
  output?: string | null;
  output_chars?: number | null;
  approval_request_id?: string | null;
}

export interface ItemCompletedFileChanges {
  item_type: 'file_change';
  status?: string | null;
  changes?: FileChange[] | null;
}

export interface ItemCompletedOther {
  item_type: string;
  status?: string | null;
  text?: string | null;
}

export interface ApprovalRequested {
  request_id?: string | null;
  approval_kind?: ApprovalKind | null;
  command?: string | null;
  cwd?: string | null;
  reason?: string | null;
  risk?: Risk | null;
  changes?: FileChange[] | null;
}

export interface ApprovalResolved {
  request_id?: string | null;
  decision?: string | null;
}

export interface TokenUsage {
  input_tokens: number;
  cached_input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  last_total_tokens: number;
  turn_total_tokens: number;
  thread_id?: string | null;
  scope?: string | null;
}

export interface TurnStarted {
}

export interface TurnEnded {
  outcome: TurnOutcome;
  message?: string | null;
}

export interface WorkerState {
  state?: string | null;
  transport?: string | null;
  target_name?: string | null;
  working_directory?: string | null;
  worker_id?: string | null;
  thread_id?: string | null;
  message?: string | null;
  detached_ms?: number | null;
  item_id?: string | null;
  command?: string | null;
  quiet_ms?: number | null;
}

export interface StreamError {
  message?: string | null;
  will_retry?: boolean | null;
  codex_error?: string | null;
  provider_details?: string | null;
  source?: string | null;
  dead_lettered_kind?: string | null;
}

export interface StreamGap {
  item_type?: string | null;
  reason?: string | null;
  message?: string | null;
  recovered: boolean;
  text?: string | null;
  output?: string | null;
  streamed_chars?: number | null;
}

export interface AttachmentCopied {
  attachment_id?: string | null;
  name?: string | null;
  state?: string | null;
  path?: string | null;
  size_bytes?: number | null;
  sha256?: string | null;
  message?: string | null;
}

export interface FileChange {
  path?: string | null;
  kind?: string | null;
  diff?: string | null;
}

/** The payload of each kind of record. */
export interface StreamPayloads {
  agent_message_delta: AgentMessageDelta;
  item_started: ItemStartedAgentMessage | ItemStartedCommand | ItemStartedFileChanges | ItemStartedOther;
  item_completed: ItemCompletedAgentMessage | ItemCompletedCommand | ItemCompletedFileChanges | ItemCompletedOther;
  command_output_delta: CommandOutputDelta;
  file_change: FileChangeRecord;
  approval_requested: ApprovalRequested;
  approval_resolved: ApprovalResolved;
  token_usage: TokenUsage;
  turn_started: TurnStarted;
  turn_completed: TurnEnded;
  turn_failed: TurnEnded;
  turn_timed_out: TurnEnded;
  turn_interrupted: TurnEnded;
  worker_state: WorkerState;
  error: StreamError;
  stream_gap: StreamGap;
  attachment_copied: AttachmentCopied;
}

export type StreamPayload = StreamPayloads[StreamKind];
