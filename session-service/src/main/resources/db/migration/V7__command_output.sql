-- A command's whole output is read on demand from its stored deltas, in order: indexed by item (only
-- the kinds that read needs; the agent's message deltas are not in it).
CREATE INDEX session_event_item ON session_event (session_id, item_id, seq)
    WHERE kind IN ('command_output_delta', 'item_started', 'item_completed');
