-- onboarding-service: runs (with their full step history), install plans and their steps, Codex auth
-- slots (metadata only: the material is in the secret store), and what it knows of the registry.

CREATE TABLE onboarding_run (
    id                    uuid        PRIMARY KEY,
    state                 text        NOT NULL,
    -- the registry's target once registered; cleared (history kept) when the target is removed
    target_id             uuid,
    target_name           text        NOT NULL,
    host                  text        NOT NULL,
    port                  integer     NOT NULL,
    username              text        NOT NULL,
    environment           text        NOT NULL,
    site_id               uuid,
    access_path           text        NOT NULL,
    tunnel_profile_id     uuid,
    -- what the intake extracted and inferred, each with the reason (shown back to the operator)
    intake                jsonb       NOT NULL,
    presented_key_type    text,
    presented_public_key  text,
    presented_fingerprint text,
    trusted_fingerprint   text,
    trusted_public_key    text,
    -- the human confirmation the run waits for (null when advance can proceed)
    waiting_for           text,
    failure               text,
    ssh_connections       integer     NOT NULL DEFAULT 0,
    created_by            text        NOT NULL,
    created_at            timestamptz NOT NULL,
    updated_at            timestamptz NOT NULL,
    finished_at           timestamptz,
    version               bigint      NOT NULL DEFAULT 0
);
CREATE INDEX onboarding_run_state ON onboarding_run (state, created_at DESC);
CREATE INDEX onboarding_run_target ON onboarding_run (target_id) WHERE target_id IS NOT NULL;
-- one open run per inventory name
CREATE UNIQUE INDEX onboarding_run_open_name ON onboarding_run (lower(target_name))
    WHERE state NOT IN ('ready', 'failed', 'cancelled');

CREATE TABLE onboarding_step (
    run_id      uuid        NOT NULL REFERENCES onboarding_run (id),
    seq         integer     NOT NULL,
    step        text        NOT NULL,
    outcome     text        NOT NULL,
    from_state  text        NOT NULL,
    to_state    text        NOT NULL,
    detail      text        NOT NULL,
    facts       jsonb,
    actor       text        NOT NULL,
    at          timestamptz NOT NULL,
    duration_ms bigint,
    PRIMARY KEY (run_id, seq)
);

CREATE TABLE install_plan (
    id            uuid        PRIMARY KEY,
    run_id        uuid        REFERENCES onboarding_run (id),
    target_id     uuid,
    target_name   text        NOT NULL,
    environment   text        NOT NULL,
    state         text        NOT NULL,
    advisory      text        NOT NULL,
    steps         jsonb       NOT NULL,
    requested_by  text        NOT NULL,
    requested_at  timestamptz NOT NULL,
    decided_by    text,
    decided_at    timestamptz,
    decision_note text,
    executed_by   text,
    started_at    timestamptz,
    finished_at   timestamptz,
    summary       text,
    version       bigint      NOT NULL DEFAULT 0
);
CREATE INDEX install_plan_run ON install_plan (run_id);

CREATE TABLE install_step (
    plan_id     uuid        NOT NULL REFERENCES install_plan (id),
    seq         integer     NOT NULL,
    command     text        NOT NULL,
    exit_code   integer,
    output      text,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz,
    PRIMARY KEY (plan_id, seq)
);

CREATE TABLE auth_slot (
    id                uuid        PRIMARY KEY,
    name              text        NOT NULL UNIQUE,
    secret_reference  text        NOT NULL,
    secret_version    integer     NOT NULL,
    source            text        NOT NULL,
    size_bytes        integer     NOT NULL,
    leased_target_id  uuid,
    leased_session_id uuid,
    leased_by         text,
    leased_at         timestamptz,
    provisioned_at    timestamptz,
    collected_at      timestamptz,
    created_by        text        NOT NULL,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    version           bigint      NOT NULL DEFAULT 0
);
-- a target holds at most one slot
CREATE UNIQUE INDEX auth_slot_one_per_target ON auth_slot (leased_target_id) WHERE leased_target_id IS NOT NULL;

-- a target whose host presented a key other than the trusted one: every operation on it stops
CREATE TABLE host_key_alarm (
    target_id             uuid        PRIMARY KEY,
    expected_fingerprint  text        NOT NULL,
    presented_fingerprint text        NOT NULL,
    detected_at           timestamptz NOT NULL
);

CREATE TABLE tunnel_operation (
    id                uuid        PRIMARY KEY,
    tunnel_profile_id uuid        NOT NULL,
    gateway_target_id uuid        NOT NULL,
    action            text        NOT NULL,
    outcome           text        NOT NULL,
    operational_state text        NOT NULL,
    facts             jsonb       NOT NULL,
    actor             text        NOT NULL,
    at                timestamptz NOT NULL
);
CREATE INDEX tunnel_operation_profile ON tunnel_operation (tunnel_profile_id, at DESC);

-- what the registry says (a projection of console.registry.v1)
CREATE TABLE target_view (
    id                   uuid        PRIMARY KEY,
    name                 text        NOT NULL,
    host                 text        NOT NULL,
    port                 integer     NOT NULL,
    username             text        NOT NULL,
    environment          text        NOT NULL,
    host_key_fingerprint text,
    host_public_key      text,
    codex_status         text        NOT NULL,
    retired              boolean     NOT NULL DEFAULT false,
    removed              boolean     NOT NULL DEFAULT false,
    version              bigint      NOT NULL
);

CREATE TABLE tunnel_view (
    id                uuid        PRIMARY KEY,
    name              text        NOT NULL,
    kind              text        NOT NULL,
    interface_name    text        NOT NULL,
    config_path       text,
    enabled           boolean     NOT NULL,
    operational_state text        NOT NULL,
    deleted           boolean     NOT NULL DEFAULT false,
    version           bigint      NOT NULL
);
