-- The server inventory: sites, tunnel profiles, network rules, SSH targets, runtime profiles.

CREATE TABLE site (
    id           uuid        PRIMARY KEY,
    name         text        NOT NULL,
    description  text,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    version      bigint      NOT NULL,
    CONSTRAINT site_name_key UNIQUE (name)
);

CREATE TABLE tunnel_profile (
    id                              uuid        PRIMARY KEY,
    name                            text        NOT NULL,
    kind                            text        NOT NULL CHECK (kind IN ('wireguard')),
    interface_name                  text        NOT NULL,
    config_path                     text        NOT NULL,
    enabled                         boolean     NOT NULL,
    operational_state               text        NOT NULL CHECK (operational_state IN ('unknown', 'up', 'down')),
    usable_for_remote_execution     boolean     NOT NULL,
    last_checked_at                 timestamptz,
    created_at                      timestamptz NOT NULL,
    updated_at                      timestamptz NOT NULL,
    version                         bigint      NOT NULL,
    CONSTRAINT tunnel_profile_name_key UNIQUE (name),
    CONSTRAINT tunnel_profile_interface_key UNIQUE (interface_name)
);

CREATE TABLE network_rule (
    id                 uuid        PRIMARY KEY,
    cidr               text        NOT NULL,
    prefix_length      integer     NOT NULL,
    site_id            uuid        REFERENCES site (id),
    access_path        text        NOT NULL CHECK (access_path IN ('lan', 'tunnel')),
    tunnel_profile_id  uuid        REFERENCES tunnel_profile (id),
    description        text,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    version            bigint      NOT NULL,
    CONSTRAINT network_rule_cidr_key UNIQUE (cidr),
    CONSTRAINT network_rule_tunnel_needs_profile CHECK (access_path = 'lan' OR tunnel_profile_id IS NOT NULL)
);

CREATE TABLE ssh_target (
    id                     uuid        PRIMARY KEY,
    name                   text        NOT NULL,
    host                   text        NOT NULL,
    port                   integer     NOT NULL CHECK (port BETWEEN 1 AND 65535),
    username               text        NOT NULL,
    environment            text        NOT NULL CHECK (environment IN ('lab', 'staging', 'production')),
    site_id                uuid        REFERENCES site (id),
    access_path            text        NOT NULL CHECK (access_path IN ('lan', 'tunnel')),
    tunnel_profile_id      uuid        REFERENCES tunnel_profile (id),
    key_reference          text,
    host_key_type          text,
    host_key_fingerprint   text,
    host_key_public        text,
    host_key_trusted_at    timestamptz,
    host_key_trusted_by    text,
    codex_status           text        NOT NULL CHECK (codex_status IN ('unknown', 'missing', 'installed_but_auth_required', 'ready')),
    retired                boolean     NOT NULL DEFAULT false,
    retired_at             timestamptz,
    created_at             timestamptz NOT NULL,
    created_by             text        NOT NULL,
    updated_at             timestamptz NOT NULL,
    updated_by             text        NOT NULL,
    version                bigint      NOT NULL,
    CONSTRAINT ssh_target_tunnel_needs_profile CHECK (access_path = 'lan' OR tunnel_profile_id IS NOT NULL)
);
CREATE UNIQUE INDEX ssh_target_name_key ON ssh_target (lower(name));
CREATE INDEX ssh_target_listing ON ssh_target (environment, lower(name));

CREATE TABLE runtime_profile (
    id             uuid        PRIMARY KEY,
    project_id     uuid        NOT NULL REFERENCES project (id),
    switch_policy  text        NOT NULL CHECK (switch_policy IN ('attach', 'confirm')),
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    version        bigint      NOT NULL,
    CONSTRAINT runtime_profile_project_key UNIQUE (project_id)
);

CREATE TABLE runtime_profile_binding (
    id                  uuid    PRIMARY KEY,
    runtime_profile_id  uuid    NOT NULL REFERENCES runtime_profile (id) ON DELETE CASCADE,
    target_id           uuid    NOT NULL REFERENCES ssh_target (id),
    role                text    NOT NULL CHECK (role IN ('primary', 'secondary')),
    working_directory   text    NOT NULL,
    position            integer NOT NULL,
    CONSTRAINT runtime_profile_binding_target_key UNIQUE (runtime_profile_id, target_id)
);
CREATE INDEX runtime_profile_binding_target ON runtime_profile_binding (target_id);
