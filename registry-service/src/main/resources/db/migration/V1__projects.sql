CREATE TABLE project (
    id                         uuid        PRIMARY KEY,
    slug                       text        NOT NULL,
    name                       text        NOT NULL,
    description                text,
    default_working_directory  text        NOT NULL,
    archived                   boolean     NOT NULL DEFAULT false,
    archived_at                timestamptz,
    created_at                 timestamptz NOT NULL,
    created_by                 text        NOT NULL,
    updated_at                 timestamptz NOT NULL,
    updated_by                 text        NOT NULL,
    version                    bigint      NOT NULL,
    CONSTRAINT project_slug_key UNIQUE (slug)
);
CREATE INDEX project_listing ON project (archived, slug);
