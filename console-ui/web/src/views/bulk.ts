/**
 * Bulk onboarding: a list of servers (pasted, or read from a file) — one per line, `name address [user]
 * [port] [environment]`, spaces or commas — is checked line by line, then becomes one onboarding run per
 * server. The batch page (`#/onboarding/batch/ID,ID,…`, so a reload keeps it) shows every run in one
 * table: its state and what it waits for, the host key it presents (each trusted on its own, only after
 * the operator ticks that the fingerprints were compared), and the progress of the whole batch; "Advance
 * all" moves every run to its next decision. Nothing is trusted or installed without the operator.
 */
import { api, describe, type Me } from '../api';
import { badge, h, text, type Row } from '../dom';

const s = text;
const FINAL = ['ready', 'failed', 'cancelled'];
/** States where a run waits for a person (or is done): "Advance all" leaves it there. */
const DECISION = [...FINAL, 'host_key_pending', 'install_plan_pending', 'installed_but_auth_required'];
const ENVIRONMENTS = ['lab', 'staging', 'production'];
const NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const USER = /^[a-z_][a-z0-9_.-]{0,31}$/;

export interface Planned { line: number; name: string; host: string; user?: string; port?: number; environment: string }

/** The list as servers, and what is wrong with each line that is not one (blank lines and # comments are skipped). */
export function parseHosts(text: string): { hosts: Planned[]; errors: string[] } {
  const hosts: Planned[] = [];
  const errors: string[] = [];
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) {
      return;
    }
    const n = i + 1;
    const parts = line.split(/[\s,;]+/).filter(Boolean);
    const [name, host, ...rest] = parts;
    if (!host) {
      errors.push(`line ${n}: give a name and an address`);
      return;
    }
    const item: Planned = { line: n, name: name.toLowerCase(), host, environment: 'lab' };
    for (const p of rest) {
      if (/^\d+$/.test(p)) {
        const port = Number(p);
        if (port < 1 || port > 65535) {
          errors.push(`line ${n}: port ${p} is not between 1 and 65535`);
          return;
        }
        item.port = port;
      } else if (ENVIRONMENTS.includes(p.toLowerCase())) {
        item.environment = p.toLowerCase();
      } else if (USER.test(p)) {
        item.user = p;
      } else {
        errors.push(`line ${n}: "${p}" is not a user, a port or an environment (lab, staging, production)`);
        return;
      }
    }
    if (!NAME.test(item.name)) {
      errors.push(`line ${n}: "${name}" is not an inventory name (lower-case letters, digits and -)`);
      return;
    }
    if (!/^[A-Za-z0-9.:-]{1,253}$/.test(host)) {
      errors.push(`line ${n}: "${host}" is not a host name or address`);
      return;
    }
    if (seen.has(item.name)) {
      errors.push(`line ${n}: ${item.name} is listed twice`);
      return;
    }
    seen.add(item.name);
    hosts.push(item);
  });
  return { hosts, errors };
}

/** The form on the onboarding page: paste or read a file, check, start one run per server. */
export function bulkForm(): HTMLElement {
  const list = h('textarea', { id: 'bulk-hosts', rows: 5, 'aria-label': 'Servers, one per line',
    placeholder: 'web-1 10.20.1.11 deploy 22 staging\nweb-2 10.20.1.12 deploy\ndb-1 db-1.lab.example root 2222 lab' });
  const file = h('input', { type: 'file', accept: '.txt,.csv,text/plain,text/csv', 'aria-label': 'Read the list from a file' });
  file.addEventListener('change', async () => {
    const f = file.files?.[0];
    if (f && f.size <= 256 * 1024) {
      list.value = await f.text();
      check();
    } else if (f) {
      note.textContent = 'The file is larger than 256 KiB: paste the list instead.';
    }
  });
  const production = h('input', { type: 'checkbox', id: 'bulk-production' });
  const preview = h('div', { class: 'table-wrap' });
  const note = h('p', { class: 'form-error', role: 'alert' });
  const start = h('button', { type: 'button', disabled: true }, 'Start onboarding');
  let planned: Planned[] = [];
  const check = () => {
    const { hosts, errors } = parseHosts(list.value);
    planned = errors.length ? [] : hosts;
    note.textContent = errors.join('; ');
    preview.replaceChildren(hosts.length ? h('table', {}, h('thead', {}, h('tr', {},
      ...['Line', 'Name', 'Address', 'User', 'Port', 'Environment'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...hosts.map((x) => h('tr', {}, h('td', {}, String(x.line)), h('td', {}, x.name), h('td', {}, x.host),
      h('td', {}, x.user ?? 'default'), h('td', {}, String(x.port ?? 22)), h('td', {}, badge(x.environment)))))) : '');
    start.disabled = planned.length === 0;
    start.textContent = planned.length ? `Start onboarding of ${planned.length} server${planned.length === 1 ? '' : 's'}` : 'Start onboarding';
  };
  list.addEventListener('input', check);
  start.addEventListener('click', async () => {
    if (planned.some((x) => x.environment === 'production') && !production.checked) {
      note.textContent = 'The list has production servers: tick the confirmation first.';
      return;
    }
    start.disabled = true;
    const ids: string[] = [];
    const failed: string[] = [];
    for (const x of planned) {
      try {
        const run = await api<Row>('/api/agent-target-onboarding', { method: 'POST', body: { name: x.name, host: x.host,
          user: x.user, port: x.port, environment: x.environment,
          confirm_production: x.environment === 'production' ? true : undefined } });
        ids.push(String(run.id));
      } catch (e) {
        failed.push(`${x.name}: ${describe(e)}`);
      }
    }
    if (failed.length && !ids.length) {
      note.textContent = failed.join('; ');
      start.disabled = false;
      return;
    }
    if (failed.length) {
      sessionStorage.setItem('devops.bulk-failed', failed.join('\n'));
    }
    location.hash = `#/onboarding/batch/${ids.join(',')}`;
  });
  return h('details', { class: 'bulk' }, h('summary', {}, 'Several servers at once'),
    h('p', { class: 'muted' }, 'One server per line: name, address, then optionally the login user, the SSH port and the environment (lab if none).'),
    list, h('div', { class: 'actions' }, file),
    h('label', { for: 'bulk-production' }, production, ' The list may hold production servers: I confirm onboarding them'),
    preview, note, h('div', { class: 'actions' }, start));
}

/** One table for a batch of runs: states, presented fingerprints with per-host trust, progress, Advance all. */
export async function batchView(root: HTMLElement, me: Me, ids: string[]): Promise<() => void> {
  const progress = h('progress', { max: ids.length, value: 0, 'aria-label': 'Batch progress' });
  const summary = h('p', { role: 'status' });
  const table = h('div', { class: 'table-wrap' });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const failedStarts = sessionStorage.getItem('devops.bulk-failed');
  sessionStorage.removeItem('devops.bulk-failed');
  const compared = h('input', { type: 'checkbox', id: 'bulk-compared' });
  let busy = false;
  // both act on the runs as read: not before the first read (a quick click would otherwise do nothing)
  const advanceAll = h('button', { type: 'button', disabled: true }, 'Advance all');
  const trustChecked = h('button', { type: 'button', class: 'secondary', disabled: true }, 'Trust the ticked host keys');
  root.replaceChildren(h('p', {}, h('a', { href: '#/onboarding' }, '← all runs')), h('h1', {}, `Onboarding ${ids.length} servers`),
    progress, summary, failedStarts ? h('p', { class: 'error' }, `Not started: ${failedStarts}`) : '', table,
    me.roles.includes('operator') ? h('div', { class: 'actions' },
      h('label', { for: 'bulk-compared' }, compared, ' I compared each ticked fingerprint with its server'), trustChecked, advanceAll) : '',
    error);
  let runs: Row[] = [];
  let drawn = '';
  const draw = () => {
    const sig = JSON.stringify(runs.map((r) => [r.id, r.state, r.waiting_for, r.failure, (r.presented_host_key as Row | null)?.fingerprint_sha256]));
    if (sig === drawn) {
      return;
    }
    const ticked = new Set([...table.querySelectorAll<HTMLInputElement>('input.trust:checked')].map((x) => x.value));
    drawn = sig;
    const done = runs.filter((r) => FINAL.includes(s(r.state))).length;
    const ready = runs.filter((r) => r.state === 'ready').length;
    progress.value = done;
    summary.textContent = `${ready} ready, ${runs.filter((r) => r.state === 'failed').length} failed, `
      + `${runs.length - done} in progress (${runs.filter((r) => r.state === 'host_key_pending').length} waiting for a host key decision)`;
    table.replaceChildren(h('table', { class: 'batch' }, h('thead', {}, h('tr', {},
      ...['Server', 'Address', 'State', 'Presented host key', 'Trust', 'Waiting for'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...runs.map((r) => {
      const key = r.presented_host_key as Row | null;
      const pending = r.state === 'host_key_pending' && key;
      return h('tr', { 'data-run': s(r.id) },
        h('td', { 'data-label': 'Server' }, h('a', { href: `#/onboarding/${r.id}` }, s(r.target_name))),
        h('td', { 'data-label': 'Address' }, `${s(r.username)}@${s(r.host)}:${s(r.port)}`),
        h('td', { 'data-label': 'State' }, badge(s(r.state)), ' ', badge(s(r.environment))),
        h('td', { 'data-label': 'Presented host key' }, key ? h('code', { class: 'fp' }, `${s(key.fingerprint_sha256)} (${s(key.key_type)})`) : '–'),
        h('td', { 'data-label': 'Trust' }, pending ? h('input', { type: 'checkbox', class: 'trust', value: s(r.id),
          checked: ticked.has(s(r.id)), 'aria-label': `Trust ${s(r.target_name)}'s host key` }) : ''),
        h('td', { 'data-label': 'Waiting for' }, r.failure ? h('span', { class: 'error' }, s(r.failure)) : s(r.waiting_for)));
    }))));
  };
  const refresh = async () => {
    const got = await Promise.allSettled(ids.map((id) => api<Row>(`/api/agent-target-onboarding/${encodeURIComponent(id)}`)));
    runs = got.map((g, i) => (g.status === 'fulfilled' ? g.value : { id: ids[i], state: 'unknown', failure: describe(g.reason) }));
    draw();
  };
  /** Advances one run until it reaches a decision, fails, or stops moving (at most ten steps). */
  const drive = async (id: string) => {
    for (let i = 0; i < 10; i++) {
      const run = runs.find((r) => r.id === id);
      if (!run || DECISION.includes(s(run.state))) {
        return;
      }
      const before = s(run.state);
      const after = await api<Row>(`/api/agent-target-onboarding/${encodeURIComponent(id)}/advance`, { method: 'POST', body: {} });
      runs = runs.map((r) => (r.id === id ? after : r));
      draw();
      if (s(after.state) === before) {
        return;
      }
    }
  };
  advanceAll.addEventListener('click', async () => {
    if (busy) return;
    busy = true;
    advanceAll.disabled = true;
    error.textContent = '';
    try {
      const results = await Promise.allSettled(runs.map((r) => drive(String(r.id))));
      const problems = results.flatMap((x, i) => (x.status === 'rejected' ? [`${s(runs[i]?.target_name)}: ${describe(x.reason)}`] : []));
      error.textContent = problems.join('; ');
      await refresh();
    } finally {
      busy = false;
      advanceAll.disabled = false;
    }
  });
  trustChecked.addEventListener('click', async () => {
    const chosen = [...table.querySelectorAll<HTMLInputElement>('input.trust:checked')].map((x) => x.value);
    if (!chosen.length) {
      error.textContent = 'Tick the host keys to trust first.';
      return;
    }
    if (!compared.checked) {
      error.textContent = 'Tick that you compared each fingerprint with its server.';
      return;
    }
    const problems: string[] = [];
    for (const id of chosen) {
      const run = runs.find((r) => r.id === id);
      const key = run?.presented_host_key as Row | null;
      if (!run || !key) continue;
      try {
        await api(`/api/agent-target-onboarding/${encodeURIComponent(id)}/host-key/trust`, { method: 'POST',
          body: { confirm_trust: true, fingerprint_sha256: key.fingerprint_sha256 } });
      } catch (e) {
        problems.push(`${s(run.target_name)}: ${describe(e)}`);
      }
    }
    compared.checked = false;
    error.textContent = problems.join('; ');
    await refresh();
  });
  await refresh();
  advanceAll.disabled = false;
  trustChecked.disabled = false;
  const timer = window.setInterval(() => { if (!busy) void refresh().catch(() => undefined); }, 3000);
  return () => window.clearInterval(timer);
}
