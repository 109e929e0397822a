-- Controlled host workflows (issue 22): a fixed, allow-listed command sequence run on a registered
-- target after approval (the first is Cockpit setup). They share the install plans' lifecycle and step
-- storage (proposed → approved/rejected → executing → succeeded/failed, a lease while executing, one
-- row per step with its kept output): a plan row with run_id NULL and workflow naming the sequence.
ALTER TABLE install_plan ADD COLUMN workflow text NOT NULL DEFAULT 'codex_install';
ALTER TABLE install_plan ADD COLUMN directory text;
ALTER TABLE install_plan ADD COLUMN result_url text;
CREATE INDEX install_plan_workflow_target ON install_plan (workflow, target_id, requested_at DESC);
