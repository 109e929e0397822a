-- The allow-listed Codex options of a runtime profile (null: the target's own Codex configuration).
-- The checks repeat CodexOptionRules so that no path around the API can store a value a command line would not accept.
ALTER TABLE runtime_profile
    ADD COLUMN codex_model            text CHECK (codex_model ~ '^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$'),
    ADD COLUMN codex_model_provider   text CHECK (codex_model_provider ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
    ADD COLUMN codex_model_base_url   text CHECK (codex_model_base_url ~ '^https?://[A-Za-z0-9._~:/\[\]@%+-]+$' AND length(codex_model_base_url) <= 512),
    ADD COLUMN codex_approval_policy  text CHECK (codex_approval_policy IN ('untrusted', 'on-request', 'never')),
    ADD COLUMN codex_sandbox_mode     text CHECK (codex_sandbox_mode IN ('read-only', 'workspace-write', 'danger-full-access'));
