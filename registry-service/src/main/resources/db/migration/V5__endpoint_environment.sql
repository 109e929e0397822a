-- ADR 0019: an SSH endpoint (host, port) and a host key belong to one environment among active
-- targets. These indexes serve the checks made under a per-endpoint advisory lock.
CREATE INDEX ssh_target_endpoint ON ssh_target (lower(host), port) WHERE NOT retired;
CREATE INDEX ssh_target_host_key ON ssh_target (host_key_fingerprint) WHERE NOT retired AND host_key_fingerprint IS NOT NULL;
