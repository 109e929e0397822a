-- The youngest age at which audit records may be pruned, whatever the service's own retention
-- setting says (devops.audit.retention.floor, applied by whoever migrates the schema; re-applied
-- when it changes). audit_prune refuses any cutoff newer than now() minus this floor.
CREATE OR REPLACE FUNCTION audit_retention_floor() RETURNS interval LANGUAGE sql IMMUTABLE
    AS $$ SELECT '${retention_floor}'::interval $$;
