/**
 * Inventory pages: projects, SSH targets, sites, network rules, tunnels and runtime profiles. Each
 * lists what the registry has and, for roles that may, offers the create form (field errors from
 * the API next to their fields). Production targets need the target's name typed to confirm;
 * trusting a host key is an admin's explicit act with the key pasted, never automatic.
 */
import { api, can, describe, type Me } from '../api';
import { badge, h, text, when, type Row } from '../dom';
import { clean, form, options, type Field } from '../forms';
import { appServers, handoffsView, sshKeysView, wireguard } from './operations';


interface Kind {
  key: string;
  title: string;
  path: string;
  columns: [string, (r: Row) => Node | string][];
  fields?: Field[];
  body?(v: Record<string, string>): unknown;
  check?(v: Record<string, string>): string | null;
  actions?(r: Row, me: Me, refresh: () => void): HTMLElement | null;
}

const s = text;

/** Names of the things rows refer to by id (projects, targets, sites, tunnels), loaded with each view. */
let names = new Map<string, string>();
const ref = (id: unknown): string => (id === null || id === undefined ? '–' : names.get(String(id)) ?? String(id));

async function loadNames(): Promise<void> {
  const lists = await Promise.allSettled(['/api/projects?size=500', '/api/ssh-targets?size=500', '/api/sites?size=500',
    '/api/tunnels?size=500'].map((path) => api<{ items: Row[] }>(path)));
  const next = new Map<string, string>();
  for (const l of lists) {
    if (l.status === 'fulfilled') {
      for (const x of l.value.items ?? []) next.set(String(x.id), String(x.name));
    }
  }
  names = next;
}
const projectsOpt = options('/api/projects?size=200', (x) => `${x.name} (${x.slug})`);
const targetsOpt = options('/api/ssh-targets?size=200', (x) => `${x.name} (${x.host})`);
const sitesOpt = options('/api/sites?size=200', (x) => String(x.name));
const tunnelsOpt = options('/api/tunnels?size=200', (x) => String(x.name));

export const KINDS: Kind[] = [
  {
    key: 'projects', title: 'Projects', path: '/api/projects',
    columns: [['Name', (r) => h('a', { href: `#/projects/${r.id}` }, s(r.name))], ['Slug', (r) => s(r.slug)],
      ['Working directory', (r) => s(r.default_working_directory)], ['Updated', (r) => when(r.updated_at)]],
    fields: [
      { name: 'name', label: 'Name', required: true },
      { name: 'slug', label: 'Slug', required: true, placeholder: 'payments-api', help: 'lower-case letters, digits and -' },
      { name: 'default_working_directory', label: 'Default working directory', required: true, placeholder: '/srv/app' },
      { name: 'description', label: 'Description', type: 'textarea' },
    ],
    body: (v) => clean(v),
  },
  {
    key: 'ssh-targets', title: 'SSH targets', path: '/api/ssh-targets',
    columns: [['Name', (r) => s(r.name)], ['Address', (r) => `${s(r.username)}@${s(r.host)}:${s(r.port)}`],
      ['Environment', (r) => badge(s(r.environment))], ['Codex', (r) => badge(s(r.codex_status))],
      ['Host key', (r) => {
        const k = r.trusted_host_key as Row | null;
        return k ? h('code', { class: 'fp', title: `trusted by ${s(k.trusted_by)} ${when(k.trusted_at)}` }, s(k.fingerprint_sha256)) : badge('untrusted', 'failed');
      }]],
    fields: [
      { name: 'name', label: 'Name', required: true, placeholder: 'web-1' },
      { name: 'host', label: 'Host', required: true, placeholder: '10.0.0.5 or web-1.lab.example' },
      { name: 'port', label: 'SSH port', type: 'number', placeholder: '22' },
      { name: 'username', label: 'Login user', placeholder: 'root' },
      { name: 'environment', label: 'Environment', type: 'select', options: ['lab', 'staging', 'production'] },
      { name: 'site_id', label: 'Site', type: 'select', source: sitesOpt },
      { name: 'access_path', label: 'Access path', type: 'select', options: ['lan', 'tunnel'] },
      { name: 'tunnel_profile_id', label: 'Tunnel', type: 'select', source: tunnelsOpt },
      { name: 'key_reference', label: 'Override key', placeholder: 'local:ssh/deploy-key', help: 'a secret reference under ssh/; empty uses the console\'s key' },
      { name: 'confirm_name', label: 'Production: type the target\'s name to confirm', api: ['confirm'] },
    ],
    check: (v) => v.environment === 'production' && v.confirm_name !== v.name
      ? 'A production target needs its name typed to confirm.' : null,
    body: (v) => {
      const b = clean(v, ['port']);
      delete b.confirm_name;
      if (v.environment === 'production') b.confirm = true;
      return b;
    },
    actions: (r, me, refresh) => targetActions(r, me, refresh),
  },
  {
    key: 'sites', title: 'Sites', path: '/api/sites',
    columns: [['Name', (r) => s(r.name)], ['Description', (r) => s(r.description)], ['Updated', (r) => when(r.updated_at)]],
    fields: [{ name: 'name', label: 'Name', required: true }, { name: 'description', label: 'Description', type: 'textarea' }],
    body: (v) => clean(v),
  },
  {
    key: 'network-rules', title: 'Network rules', path: '/api/network-rules',
    columns: [['CIDR', (r) => h('code', {}, s(r.cidr))], ['Access path', (r) => s(r.access_path)],
      ['Site', (r) => ref(r.site_id)], ['Description', (r) => s(r.description)]],
    fields: [
      { name: 'cidr', label: 'CIDR', required: true, placeholder: '10.20.0.0/16' },
      { name: 'access_path', label: 'Access path', type: 'select', options: ['lan', 'tunnel'], required: true, value: 'lan' },
      { name: 'site_id', label: 'Site', type: 'select', source: sitesOpt },
      { name: 'tunnel_profile_id', label: 'Tunnel', type: 'select', source: tunnelsOpt },
      { name: 'description', label: 'Description' },
    ],
    body: (v) => clean(v),
  },
  {
    key: 'tunnels', title: 'Tunnels', path: '/api/tunnels',
    columns: [['Name', (r) => s(r.name)], ['Interface', (r) => s(r.interface_name)], ['Config', (r) => h('code', {}, s(r.config_path))],
      ['State', (r) => badge(s(r.operational_state))], ['Enabled', (r) => s(r.enabled)]],
    fields: [
      { name: 'name', label: 'Name', required: true },
      { name: 'interface_name', label: 'Interface', required: true, placeholder: 'wg0' },
      { name: 'config_path', label: 'Config path', required: true, placeholder: '/etc/wireguard/wg0.conf' },
    ],
    body: (v) => ({ ...clean(v), kind: 'wireguard' }),
    actions: (r, me) => wireguard(r, me),
  },
  {
    key: 'runtime-profiles', title: 'Runtime profiles', path: '/api/runtime-profiles',
    columns: [['Project', (r) => ref(r.project_id)],
      ['Targets', (r) => ((r.bindings as Row[]) ?? []).map((b) => `${s(b.role)}: ${ref(b.target_id)} in ${s(b.working_directory)}`).join('; ')],
      ['Codex', (r) => { const c = (r.codex ?? {}) as Row; return [c.model, c.approval_policy, c.sandbox_mode].filter(Boolean).join(', ') || 'target defaults'; }],
      ['Updated', (r) => when(r.updated_at)]],
    fields: [
      { name: 'project_id', label: 'Project', type: 'select', required: true, source: projectsOpt },
      { name: 'target_id', label: 'Primary target', type: 'select', required: true, source: targetsOpt },
      { name: 'working_directory', label: 'Working directory on the target', required: true, placeholder: '/srv/app' },
      { name: 'model', label: 'Model', placeholder: 'target default' },
      { name: 'model_provider', label: 'Model provider', placeholder: 'target default' },
      { name: 'model_base_url', label: 'Provider base URL', placeholder: 'target default' },
      { name: 'approval_policy', label: 'Codex approval policy', type: 'select', options: ['untrusted', 'on-failure', 'on-request', 'never'] },
      { name: 'sandbox_mode', label: 'Sandbox', type: 'select', options: ['read-only', 'workspace-write', 'danger-full-access'] },
    ],
    body: (v) => {
      const c = clean(v);
      const codex = Object.fromEntries(['model', 'model_provider', 'model_base_url', 'approval_policy', 'sandbox_mode']
        .filter((k) => c[k] !== undefined).map((k) => [k, c[k]]));
      return { project_id: c.project_id, bindings: [{ target_id: c.target_id, role: 'primary', working_directory: c.working_directory }],
        codex: Object.keys(codex).length ? codex : undefined };
    },
  },
];

/**
 * What may be done to a target, by role: change it (operators; a production target, before or after,
 * needs an approver and its name typed), retire it (the same gate), remove a retired one (approvers,
 * with its name typed), trust its host key (admins, the key pasted).
 */
function targetActions(r: Row, me: Me, refresh: () => void): HTMLElement | null {
  const box = h('div', { class: 'row-actions' });
  const name = s(r.name);
  const production = r.environment === 'production';
  if (r.retired) {
    box.append(badge('retired', 'none'));
    if (can(me, 'approver')) {
      box.append(confirmAction(`Remove ${name}`, name, 'remove', 'Remove', (v) =>
        api(`/api/ssh-targets/${r.id}`, { method: 'DELETE', body: { confirm: true, version: r.version, reason: v.reason || undefined } }),
        refresh, true));
    }
    return box;
  }
  if (can(me, 'operator')) {
    const edit = h('details', { class: 'row-action' }, h('summary', {}, 'Change'));
    edit.append(form({
      fields: [
        { name: 'name', label: 'Name', required: true, value: name },
        { name: 'host', label: 'Host', required: true, value: s(r.host) },
        { name: 'port', label: 'SSH port', type: 'number', value: s(r.port) },
        { name: 'username', label: 'Login user', value: s(r.username) },
        { name: 'environment', label: 'Environment', type: 'select', options: ['lab', 'staging', 'production'], value: s(r.environment) },
        { name: 'access_path', label: 'Access path', type: 'select', options: ['lan', 'tunnel'], value: s(r.access_path) },
        { name: 'key_reference', label: 'Override key', value: r.key_reference ? s(r.key_reference) : '',
          help: 'a secret reference under ssh/; empty uses the console\'s key' },
        { name: 'confirm_name', label: production ? `Production: type ${name} to confirm` : 'Production: type the name to confirm',
          api: ['confirm'] },
      ],
      submit: 'Save',
      check: (v) => ((production || v.environment === 'production') && v.confirm_name !== name
        ? `A production target changes only with its name (${name}) typed.` : null),
      send: (v) => {
        const b: Record<string, unknown> = clean(v, ['port']);
        delete b.confirm_name;
        return api(`/api/ssh-targets/${r.id}`, { method: 'PUT', body: { ...b, port: b.port ?? r.port, username: b.username ?? r.username,
          site_id: r.site_id ?? undefined, tunnel_profile_id: r.tunnel_profile_id ?? undefined, version: r.version,
          confirm: production || v.environment === 'production' ? true : undefined } });
      },
      done: refresh,
    }));
    box.append(edit, confirmAction(`Retire ${name}`, production ? name : null, 'retire', 'Retire', () =>
      api(`/api/ssh-targets/${r.id}/retire`, { method: 'POST', body: { version: r.version, confirm: production ? true : undefined } }),
      refresh, false));
  }
  if (can(me, 'admin')) {
    box.append(trustForm(r, refresh));
  }
  box.append(appServers(r, me));
  return box;
}

/** A destructive row action behind its own fold: the name typed (when asked) and an explicit button. */
function confirmAction(title: string, typeName: string | null, verb: string, submit: string,
                       send: (v: Record<string, string>) => Promise<unknown>, done: () => void, reason: boolean): HTMLElement {
  const wrap = h('details', { class: 'row-action danger' }, h('summary', {}, title));
  const fields: Field[] = [];
  if (typeName) {
    fields.push({ name: 'typed', label: `Type ${typeName} to ${verb} it`, required: true, api: ['confirm'] });
  }
  if (reason) {
    fields.push({ name: 'reason', label: 'Reason (goes on the record)' });
  }
  wrap.append(form({
    fields, submit,
    check: (v) => (typeName && v.typed !== typeName ? `Type ${typeName} exactly to ${verb} it.` : null),
    send, done,
  }));
  return wrap;
}

function trustForm(r: Row, refresh: () => void): HTMLElement {
  const wrap = h('details', { class: 'row-action' }, h('summary', {}, r.trusted_host_key ? 'Re-trust host key' : 'Trust host key'));
  wrap.append(form({
    fields: [
      { name: 'key_type', label: 'Key type', required: true, placeholder: 'ssh-ed25519' },
      { name: 'public_key', label: 'Public key (base64)', type: 'textarea', required: true },
      { name: 'fingerprint_sha256', label: 'Fingerprint (optional, checked)', placeholder: 'SHA256:…' },
      { name: 'confirm_trust', label: 'I checked this key out of band', type: 'checkbox' },
    ],
    submit: 'Trust this key',
    check: (v) => (v.confirm_trust === 'true' ? null : 'Confirm that you checked the key.'),
    send: (v) => api(`/api/ssh-targets/${r.id}/host-key`, { method: 'PUT', body: { ...clean(v), confirm_trust: true } }),
    done: refresh,
  }));
  return wrap;
}

/** Inventory pages that are not a list of one kind of registry row. */
const PAGES: [string, string, (root: HTMLElement, me: Me) => Promise<void>][] = [
  ['ssh-keys', 'SSH keys', sshKeysView], ['handoffs', 'Handoffs', handoffsView],
];

export async function inventoryView(root: HTMLElement, me: Me, key: string): Promise<() => void> {
  const page = PAGES.find(([k]) => k === key);
  const kind = KINDS.find((k) => k.key === key) ?? KINDS[0];
  const current = page ? page[0] : kind.key;
  root.replaceChildren(h('h1', {}, page ? page[1] : kind.title), h('nav', { class: 'tabs', 'aria-label': 'Inventory' },
    ...[...KINDS.map((k): [string, string] => [k.key, k.title]), ...PAGES.map(([k, t]): [string, string] => [k, t])]
      .map(([k, t]) => h('a', { href: `#/inventory/${k}`, 'aria-current': k === current ? 'page' : undefined }, t))));
  if (page) {
    await page[2](root, me);
    return () => undefined;
  }
  const table = h('div', { class: 'table-wrap' });
  const refresh = async () => {
    try {
      const [page] = await Promise.all([api<{ items: Row[]; total?: number }>(`${kind.path}?size=200`), loadNames()]);
      const actions = kind.actions !== undefined;
      table.replaceChildren(page.items.length === 0 ? h('p', { class: 'muted' }, `No ${kind.title.toLowerCase()} yet.`)
        : h('table', {}, h('thead', {}, h('tr', {}, ...kind.columns.map(([c]) => h('th', { scope: 'col' }, c)), actions ? h('th', {}, '') : null)),
          h('tbody', {}, ...page.items.map((r) => h('tr', { 'data-id': s(r.id) }, ...kind.columns.map(([c, f]) => h('td', { 'data-label': c }, f(r))),
            actions ? h('td', {}, kind.actions!(r, me, () => void refresh())) : null)))));
    } catch (e) {
      table.replaceChildren(h('p', { class: 'error', role: 'alert' }, describe(e)));
    }
  };
  root.append(table);
  if (kind.fields && can(me, 'operator')) {
    root.append(h('h2', {}, `New ${kind.title.toLowerCase().replace(/s$/, '')}`), form({
      fields: kind.fields, submit: 'Create', check: kind.check,
      send: (v) => api(kind.path, { method: 'POST', body: kind.body!(v) }),
      done: () => { void refresh(); (root.querySelector('form') as HTMLFormElement | null)?.reset(); },
    }));
  }
  await refresh();
  return () => undefined;
}
