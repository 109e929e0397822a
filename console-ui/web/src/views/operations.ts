/**
 * Operations the API offers on inventory rows, from the console: a target's Codex app-servers (list,
 * look again, clean what no worker owns, stop one, read one's log as an admin), a tunnel's WireGuard operations on its gateway
 * (status, check, tooling, install, activate, deactivate — the changing ones only after the operator
 * confirms, production gateways with the name typed), the console's SSH keys (the control plane's public
 * half; override keys stored and deleted by admins), and project handoff packages (prepare, start).
 */
import { api, can, describe, type Me } from '../api';
import { badge, copyButton, h, text, when, type Row } from '../dom';
import { clean, form, options } from '../forms';

const s = text;

/** A target's app-servers, in a fold: listed when opened; operators may look again, clean orphans, stop one. */
export function appServers(target: Row, me: Me): HTMLElement {
  const fold = h('details', { class: 'row-action' }, h('summary', {}, 'App-servers'));
  const body = h('div', { class: 'app-servers' });
  const note = h('p', { class: 'muted', role: 'status' });
  const base = `/api/targets/${encodeURIComponent(String(target.id))}/app-servers`;
  const show = (page: Row) => {
    const items = (page.items as Row[]) ?? [];
    body.replaceChildren(
      h('p', { class: 'muted' }, page.observed_at ? `as of ${when(page.observed_at)} (${s(page.observed_by)})` : 'not looked at yet'),
      items.length === 0 ? h('p', { class: 'muted' }, 'No app-server on this target.')
        : h('ul', {}, ...items.map((a) => h('li', { 'data-server': s(a.server_key) },
          h('code', {}, s(a.server_key)), ' ', badge(a.alive ? 'alive' : 'gone', a.alive ? 'ok' : 'none'),
          a.orphan ? badge('no worker owns it', 'warn') : null, a.stale ? badge('stale', 'warn') : null,
          ` pid ${s(a.pid)} in ${s(a.working_directory)}`, a.session_id ? ` · session ${s(a.session_id)}` : '',
          can(me, 'operator') && a.alive ? h('button', { type: 'button', class: 'secondary', onclick: () =>
            act(`${base}/${encodeURIComponent(String(a.server_key))}/stop`, `stopped ${s(a.server_key)}`) }, 'Stop') : null,
          can(me, 'admin') ? appServerLog(async () => ({ targetId: String(target.id), serverKey: String(a.server_key) })) : null))));
  };
  const load = async (path: string, method = 'GET') => {
    try {
      show(await api<Row>(path, { method }));
    } catch (e) {
      note.textContent = describe(e);
    }
  };
  const act = async (path: string, done: string) => {
    try {
      const r = await api<Row>(path, { method: 'POST' });
      note.textContent = Array.isArray(r.removed) ? `removed ${(r.removed as string[]).length}, kept ${(r.kept as string[]).length}` : done;
      await load(base);
    } catch (e) {
      note.textContent = describe(e);
    }
  };
  fold.addEventListener('toggle', () => { if (fold.open) void load(base); });
  const tools = can(me, 'operator') ? h('div', { class: 'actions' },
    h('button', { type: 'button', class: 'secondary', onclick: () => void load(`${base}/refresh`, 'POST') }, 'Look again'),
    h('button', { type: 'button', class: 'secondary', onclick: () => void act(`${base}/clean`, 'cleaned') },
      'Clean what no worker owns')) : null;
  fold.append(body, tools ?? '', note);
  return fold;
}

/**
 * An app-server's log (admins): the end of the file on the host, read when the fold opens (a POST: it logs in to
 * the host), secrets redacted by the runner; shown as inert text with how much of it this is.
 */
export function appServerLog(where: () => Promise<{ targetId: string; serverKey: string } | null>): HTMLElement {
  const fold = h('details', { class: 'row-action app-server-log' }, h('summary', {}, 'App-server log'));
  const body = h('div', {}, h('p', { class: 'muted' }, 'reading…'));
  fold.append(body);
  const read = async () => {
    try {
      const at = await where();
      if (!at) {
        body.replaceChildren(h('p', { class: 'muted' }, 'No app-server ran for this yet.'));
        return;
      }
      const log = await api<Row>(`/api/targets/${encodeURIComponent(at.targetId)}/app-servers/${encodeURIComponent(at.serverKey)}/log`,
        { method: 'POST', body: {} });
      body.replaceChildren(!log.exists ? h('p', { class: 'muted' }, 'The host keeps no log for this app-server.')
        : h('div', {}, h('p', { class: 'muted' }, log.truncated
          ? `The last ${Number(log.shown_bytes).toLocaleString()} of ${Number(log.size_bytes).toLocaleString()} bytes`
          : `All ${Number(log.size_bytes).toLocaleString()} bytes`, `, read ${when(log.read_at)} (secrets redacted). `,
        h('button', { type: 'button', class: 'secondary', onclick: () => void read() }, 'Read again')),
        h('pre', { class: 'output' }, s(log.text))));
    } catch (e) {
      body.replaceChildren(h('p', { class: 'error', role: 'alert' }, describe(e)));
    }
  };
  fold.addEventListener('toggle', () => { if (fold.open) void read(); });
  return fold;
}

/**
 * The console's own log records about a session (admins): what agent-runner and session-service logged while
 * acting for it, every replica, secrets redacted by the sender. Read when the fold opens; newest page first, each
 * page oldest first, older pages on demand; a level to start from; every text shown inert.
 */
export function consoleLog(sessionId: string): HTMLElement {
  const fold = h('details', { class: 'row-action console-log' }, h('summary', {}, 'Console log'));
  const level = h('select', { 'aria-label': 'Least severe level shown' },
    ...['INFO', 'WARN', 'ERROR', 'DEBUG'].map((l) => h('option', { value: l }, l === 'INFO' ? 'INFO and above' : l === 'DEBUG' ? 'everything' : `${l} and above`)));
  const list = h('ol', { class: 'console-log-records' });
  const status = h('p', { class: 'muted', role: 'status' }, 'reading…');
  let older: number | null = null;
  const more = h('button', { type: 'button', class: 'secondary', hidden: true, onclick: () => void read(false) }, 'Older records');
  const row = (r: Row): HTMLElement => {
    const thrown = r.thrown ? h('details', { class: 'thrown' }, h('summary', {}, 'exception'), h('pre', { class: 'output' }, s(r.thrown))) : null;
    return h('li', { class: `log-record level-${String(r.level).toLowerCase()}` },
      h('span', { class: 'log-meta' }, h('time', { datetime: s(r.at) }, when(r.at)), ' ', badge(s(r.level), r.level === 'ERROR' || r.level === 'FATAL'
        ? 'failed' : r.level === 'WARN' ? 'warn' : 'neutral'), ' ', h('span', { class: 'muted', title: s(r.logger) }, `${s(r.service)} ${s(r.instance)}`)),
      h('pre', { class: 'log-message' }, s(r.message)), thrown);
  };
  const read = async (fresh: boolean) => {
    try {
      const q = new URLSearchParams({ level: level.value, limit: '200' });
      if (!fresh && older !== null) {
        q.set('before', String(older));
      }
      const page = await api<{ items: Row[]; older: number | null }>(`/api/sessions/${encodeURIComponent(sessionId)}/console-logs?${q}`);
      const rows = page.items.map(row);
      if (fresh) {
        list.replaceChildren(...rows);
      } else {
        list.prepend(...rows);
      }
      older = page.older;
      more.hidden = older === null;
      status.textContent = list.childElementCount === 0 ? 'Nothing logged about this session at this level.'
        : `${list.childElementCount.toLocaleString()} record${list.childElementCount === 1 ? '' : 's'}, oldest first (secrets redacted).`;
    } catch (e) {
      status.textContent = describe(e);
    }
  };
  level.addEventListener('change', () => void read(true));
  fold.append(h('div', { class: 'actions' }, level, h('button', { type: 'button', class: 'secondary', onclick: () => void read(true) }, 'Read again')),
    status, more, list);
  fold.addEventListener('toggle', () => { if (fold.open) void read(true); });
  return fold;
}

const WIREGUARD: [string, string, boolean][] = [
  ['check', 'Check', false], ['tooling', 'Tooling present?', false], ['tooling/install', 'Install tooling', true],
  ['activate', 'Activate', true], ['deactivate', 'Deactivate', true],
];

/** A tunnel's WireGuard operations on a gateway target; the result (outcome, state, each command) is shown. */
export function wireguard(tunnel: Row, me: Me): HTMLElement {
  const fold = h('details', { class: 'row-action' }, h('summary', {}, 'WireGuard'));
  const result = h('div', { class: 'wg-result', role: 'status' });
  const base = `/api/tunnels/${encodeURIComponent(String(tunnel.id))}/wireguard`;
  const showResult = (v: Row) => {
    const commands = (v.commands as Row[]) ?? [];
    result.replaceChildren(h('p', {}, badge(s(v.outcome), v.outcome === 'succeeded' || v.outcome === 'ok' ? 'ok' : s(v.outcome)), ' ',
      badge(s(v.operational_state)), ` ${s(v.detail)}`),
    ...commands.map((c) => h('details', { class: 'command' }, h('summary', {}, h('code', {}, s(c.command)), ` exit ${s(c.exit_code)}`),
      h('pre', { class: 'output' }, s(c.output)))));
  };
  const status = h('button', { type: 'button', class: 'secondary', onclick: async () => {
    try { showResult(await api<Row>(`${base}/status`)); } catch (e) { result.textContent = describe(e); }
  } }, 'Last status');
  fold.append(h('div', { class: 'actions' }, status), result);
  if (!can(me, 'operator')) {
    return fold;
  }
  const targets = options('/api/ssh-targets?size=200', (x) => `${x.name} (${x.host}, ${x.environment})`);
  for (const [path, label, changes] of WIREGUARD) {
    fold.append(h('details', { class: 'row-action' }, h('summary', {}, label), form({
      fields: [
        { name: 'gateway_target_id', label: 'Gateway target', type: 'select', required: true, source: targets },
        ...(changes ? [{ name: 'confirm_execute', label: 'I read what this runs on the gateway', type: 'checkbox' as const }] : []),
        { name: 'confirm_production', label: 'The gateway is production: I confirm', type: 'checkbox' },
      ],
      submit: label,
      check: (v) => (changes && v.confirm_execute !== 'true' ? 'Confirm that this may change the gateway.' : null),
      send: (v) => api<Row>(`${base}/${path}`, { method: 'POST', body: { gateway_target_id: v.gateway_target_id,
        confirm_execute: changes ? true : undefined, confirm_production: v.confirm_production === 'true' ? true : undefined } }),
      done: (r) => showResult(r as Row),
    })));
  }
  return fold;
}

/** The console's SSH keys: the control plane's public half for servers; override keys (admins). */
export async function sshKeysView(root: HTMLElement, me: Me): Promise<void> {
  const key = await api<Row>('/api/ssh-keys/control-plane').catch(() => null);
  root.append(h('h2', {}, 'The console\'s key'),
    key ? h('section', { class: 'control-plane-key' },
      h('p', {}, 'Servers authorize this key (a line in the login user\'s ~/.ssh/authorized_keys):'),
      h('pre', { class: 'key-line' }, s(key.authorized_keys_line)),
      h('div', { class: 'actions' }, copyButton(s(key.authorized_keys_line)), h('span', { class: 'muted' }, ` ${s(key.public_key_fingerprint)}`)))
      : h('p', { class: 'muted' }, 'No control-plane key is configured yet.'));
  if (!can(me, 'admin')) {
    return;
  }
  const stored = h('div', { role: 'status' });
  root.append(h('h2', {}, 'Store an override key'),
    h('p', { class: 'muted' }, 'A private key for targets that must not use the console\'s own key; a target names it as its override key.'),
    form({
      fields: [
        { name: 'reference', label: 'Reference', required: true, placeholder: 'local:ssh/deploy-web' },
        { name: 'environment', label: 'For targets of', type: 'select', required: true, options: ['lab', 'staging', 'production'], value: 'lab' },
        { name: 'private_key', label: 'Private key (OpenSSH or PEM, no passphrase)', type: 'textarea', required: true },
        { name: 'confirm', label: 'Store this private key', type: 'checkbox' },
      ],
      submit: 'Store key',
      check: (v) => (v.confirm === 'true' ? null : 'Confirm that the key is to be stored.'),
      send: (v) => api<Row>('/api/ssh-keys', { method: 'POST', body: { ...clean(v), confirm: true } }),
      done: (r) => {
        const k = r as Row;
        stored.replaceChildren(h('p', {}, `Stored ${s(k.reference)} (${s(k.key_type)}, ${s(k.public_key_fingerprint)}, version ${s(k.secret_version)}). `,
          'Its public half, for the servers:'), h('pre', { class: 'key-line' }, `${s(k.key_type)} ${s(k.public_key)}`));
        (root.querySelector('textarea[name="private_key"]') as HTMLTextAreaElement | null)?.setAttribute('value', '');
      },
    }), stored,
    h('h2', {}, 'Delete an override key'),
    form({
      fields: [
        { name: 'reference', label: 'Reference', required: true, placeholder: 'local:ssh/deploy-web' },
        { name: 'typed', label: 'Type the reference again to delete it', required: true, api: ['confirm'] },
      ],
      submit: 'Delete key',
      check: (v) => (v.typed === v.reference ? null : 'Type the reference exactly to delete the key.'),
      send: (v) => api(`/api/ssh-keys?reference=${encodeURIComponent(v.reference)}&confirm=true`, { method: 'DELETE' }),
      done: () => { stored.textContent = 'Deleted.'; },
    }));
}

/** A project's handoff packages: prepared (what the next session starts from), then started. */
export async function handoffsView(root: HTMLElement, me: Me): Promise<void> {
  const list = h('div', { class: 'table-wrap' });
  const names = new Map<string, string>();
  const refresh = async () => {
    try {
      const [page, projects] = await Promise.all([api<{ items: Row[] }>('/api/handoffs'),
        api<{ items: Row[] }>('/api/projects?size=500')]);
      for (const p of projects.items) names.set(String(p.id), String(p.name));
      list.replaceChildren(page.items.length === 0 ? h('p', { class: 'muted' }, 'No handoffs yet.')
        : h('table', {}, h('thead', {}, h('tr', {}, ...['Project', 'Intent', 'Status', 'By', 'Prepared', ''].map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, ...page.items.map((x) => h('tr', { 'data-id': s(x.id) },
            h('td', {}, names.get(String(x.project_id)) ?? s(x.project_id)), h('td', {}, s(x.intent)), h('td', {}, badge(s(x.status))),
            h('td', {}, s(x.requested_by)), h('td', {}, when(x.created_at)),
            h('td', {}, x.started_session ? h('a', { href: `#/projects/${x.project_id}/sessions/${x.started_session}` }, 'its session')
              : can(me, 'operator') ? h('button', { type: 'button', class: 'secondary', onclick: async () => {
                try {
                  const v = await api<Row>(`/api/handoffs/${x.id}/start`, { method: 'POST' });
                  location.hash = `#/projects/${v.project_id}`;
                } catch (e) { list.prepend(h('p', { class: 'error', role: 'alert' }, describe(e))); }
              } }, 'Start') : null))))));
    } catch (e) {
      list.replaceChildren(h('p', { class: 'error', role: 'alert' }, describe(e)));
    }
  };
  root.append(list);
  if (can(me, 'operator')) {
    root.append(h('h2', {}, 'Prepare a handoff'), form({
      fields: [
        { name: 'project_id', label: 'Project', type: 'select', required: true, source: options('/api/projects?size=200', (x) => String(x.name)) },
        { name: 'intent', label: 'What the next session is to do', type: 'textarea', required: true },
      ],
      submit: 'Prepare',
      send: (v) => api('/api/handoffs', { method: 'POST', body: clean(v) }),
      done: () => void refresh(),
    }));
  }
  await refresh();
}
