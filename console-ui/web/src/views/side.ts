/**
 * The side panel (projects and servers, refreshed every 10 s) and the sign-in return path. Each list
 * degrades on its own: when one API call fails the other list still shows, the failing one keeps what
 * it showed last, and one line says what failed (replaced, never stacked, cleared once it works again).
 */
import { LoginRequired, api, can, describe, type Me } from '../api';
import { badge, h, type Row } from '../dom';
import { attention, type InboxItem } from './inbox';

const RETURN = 'devops.return-to';
const SAFE_HASH = /^#\/[A-Za-z0-9/_?=&.%:-]{0,500}$/;

/** Keeps where the operator was (a deep link such as #/audit) across the sign-in round trip. */
export function rememberReturn(hash: string): void {
  if (SAFE_HASH.test(hash) && hash !== '#/') {
    sessionStorage.setItem(RETURN, hash);
  }
}

/** Where to go after signing in (once), if it is a console path. */
export function takeReturn(): string | null {
  const back = sessionStorage.getItem(RETURN);
  sessionStorage.removeItem(RETURN);
  return back && SAFE_HASH.test(back) ? back : null;
}

export async function sidePanel(side: HTMLElement, me: Me, login: () => void): Promise<() => void> {
  const projects = h('ul', { class: 'projects' });
  const servers = h('ul', { class: 'servers' });
  const problem = h('p', { class: 'error', role: 'alert', hidden: true });
  side.replaceChildren(h('h2', {}, 'Projects'), projects, h('h2', {}, 'Servers'), servers, problem);
  const refresh = async () => {
    const [p, t, w, a, ss] = await Promise.allSettled([
      api<{ items: Row[] }>('/api/projects?size=200'),
      api<{ items: Row[] }>('/api/remote-access/targets?size=200'),
      api<{ items: Row[] }>('/api/workers'),
      api<{ items: InboxItem[] }>('/api/approvals/pending'),
      api<{ items: Row[] }>('/api/sessions?limit=200'),
    ]);
    // each project's newest session: a failed one is marked, a live one shows its state
    const newest = new Map<string, Row>();
    for (const x of ss.status === 'fulfilled' ? ss.value.items : []) {
      if (!newest.has(String(x.project_id))) newest.set(String(x.project_id), x);
    }
    const sessionBadge = (projectId: string) => {
      const s = newest.get(projectId);
      const state = String(s?.state ?? '');
      if (s && (s.attention === 'runner_lost' || s.attention === 'worker_lost' || s.attention === 'command_stuck')) {
        return h('span', {}, ' ', badge(s.attention.replace('_', ' '), s.attention === 'command_stuck' ? 'warn' : 'failed'));
      }
      if (!s || state === 'stopped' || state === 'waiting_approval') {
        return null; // nothing to say, or the approval badge says it
      }
      return h('span', { title: state === 'failed' ? String(s.state_reason ?? '') : '' }, ' ',
        badge(state === 'failed' ? 'failed' : state.replace('_', ' '), state === 'failed' ? 'failed' : 'none'));
    };
    const failed = [p, t, w, a, ss].find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed && failed.reason instanceof LoginRequired) {
      login();
      return;
    }
    const problems: string[] = [];
    const waiting = new Map<string, number>();
    if (a.status === 'fulfilled') {
      for (const i of a.value.items) waiting.set(String(i.project_id), (waiting.get(String(i.project_id)) ?? 0) + 1);
      attention(a.value.items, document.getElementById('inbox-count'));
    } else {
      problems.push(`approvals: ${describe(a.reason)}`);
    }
    if (p.status === 'fulfilled') {
      projects.replaceChildren(...(p.value.items.length ? p.value.items.map((x) => h('li', {},
        h('a', { href: `#/projects/${x.id}`, 'data-project': String(x.id) }, String(x.name)),
        sessionBadge(String(x.id)),
        waiting.has(String(x.id)) ? h('a', { href: '#/inbox', class: 'badge-link' }, ' ',
          badge(`${waiting.get(String(x.id))} waiting`, 'warn')) : null))
        : [h('li', { class: 'muted' }, can(me, 'operator') ? 'None yet: add one under Inventory.' : 'None yet.')]));
    } else {
      problems.push(`projects: ${describe(p.reason)}`);
    }
    const live = new Map<string, string>();
    for (const x of w.status === 'fulfilled' ? w.value.items : []) {
      if (x.target_id && !x.stopped_at) live.set(String(x.target_id), String(x.state));
    }
    if (w.status === 'rejected') {
      problems.push(`workers: ${describe(w.reason)}`);
    }
    if (ss.status === 'rejected') {
      problems.push(`sessions: ${describe(ss.reason)}`);
    }
    if (t.status === 'fulfilled') {
      // the registry's remote-access view: a live TCP check of each target, its Codex status, its host key
      servers.replaceChildren(...(t.value.items.length ? t.value.items.map((x) => {
        const reach = (x.reachability ?? {}) as Row;
        const status = String(reach.status ?? 'not_checked');
        return h('li', { 'data-target': String(x.target_id) },
          h('span', { class: 'name' }, String(x.name)), ' ',
          badge(status === 'reachable' ? `reachable${reach.latency_millis != null ? ` ${reach.latency_millis} ms` : ''}`
            : status === 'unreachable' ? 'unreachable' : 'not checked', status === 'reachable' ? 'ok' : status === 'unreachable' ? 'failed' : 'none'),
          badge(`codex ${String(x.codex_status)}`, String(x.codex_status)),
          live.has(String(x.target_id)) ? badge(`worker ${live.get(String(x.target_id))}`, 'ok') : null,
          x.host_key_trusted ? null : badge('host key untrusted', 'failed'));
      })
        : [h('li', { class: 'muted' }, 'No servers yet.')]));
    } else {
      problems.push(`servers: ${describe(t.reason)}`);
    }
    problem.textContent = problems.length ? `Not current — ${problems.join('; ')}` : '';
    problem.hidden = problems.length === 0;
  };
  await refresh();
  const timer = window.setInterval(() => void refresh(), 10_000);
  const changed = () => void refresh();
  window.addEventListener('devops:changed', changed);
  return () => { window.clearInterval(timer); window.removeEventListener('devops:changed', changed); };
}
