-- Example seed data from the origin deployment: editable rows, not logic. Operators change or
-- delete them through /api/sites, /api/tunnels and /api/network-rules like any other row.
INSERT INTO site (id, name, description, created_at, updated_at, version) VALUES
    ('5f1d3c2a-0001-4a7e-9c10-000000000001', 'Dubai DC', 'Example site (seed data)', now(), now(), 0),
    ('5f1d3c2a-0001-4a7e-9c10-000000000002', '12Alder lab', 'Example site (seed data)', now(), now(), 0);

INSERT INTO tunnel_profile (id, name, kind, interface_name, config_path, enabled, operational_state,
                            usable_for_remote_execution, last_checked_at, created_at, updated_at, version) VALUES
    ('5f1d3c2a-0002-4a7e-9c10-000000000001', 'wg-12alder', 'wireguard', 'wg-12alder', '/etc/wireguard/wg-12alder.conf',
     true, 'unknown', false, NULL, now(), now(), 0);

INSERT INTO network_rule (id, cidr, prefix_length, site_id, access_path, tunnel_profile_id, description,
                          created_at, updated_at, version) VALUES
    ('5f1d3c2a-0003-4a7e-9c10-000000000001', '10.76.20.0/22', 22, '5f1d3c2a-0001-4a7e-9c10-000000000001', 'lan', NULL,
     'Example rule (seed data)', now(), now(), 0),
    ('5f1d3c2a-0003-4a7e-9c10-000000000002', '10.26.0.0/16', 16, '5f1d3c2a-0001-4a7e-9c10-000000000002', 'tunnel',
     '5f1d3c2a-0002-4a7e-9c10-000000000001', 'Example rule (seed data)', now(), now(), 0);
