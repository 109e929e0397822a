/**
 * The console: sign-in, then a side panel (projects; servers with live TCP reachability, Codex status
 * and whether a worker is connected, refreshed every 10 s) and the main view chosen by the URL hash — the
 * coordinator chat (home), a project's session, inventory, onboarding, audit. What a role may not do is not offered (the services
 * still refuse it). `console-usable` is marked when the first view after sign-in is drawn.
 */
import { LoginRequired, api, can, describe, whoAmI, type Me } from './api';
import { badge, h, type Row } from './dom';
import { auditView } from './views/audit';
import { workflowsView } from './views/workflows';
import { chatView } from './views/chat';
import { inventoryView } from './views/inventory';
import { onboardingView } from './views/onboarding';
import { sessionView } from './views/session';
import './style.css';

const app = document.getElementById('app')!;

function showLogin(): void {
  const button = h('a', { href: '/auth/login', class: 'button' }, 'Sign in');
  app.replaceChildren(h('main', { class: 'login' }, h('h1', {}, 'DevOps Console'),
    h('p', {}, 'Sign in with your organisation account.'), button));
  button.focus();
}

async function sidePanel(side: HTMLElement, me: Me): Promise<void> {
  const projects = h('ul', { class: 'projects' });
  const servers = h('ul', { class: 'servers' });
  side.replaceChildren(h('h2', {}, 'Projects'), projects, h('h2', {}, 'Servers'), servers);
  const refresh = async () => {
    try {
      const [p, t, w] = await Promise.all([
        api<{ items: Row[] }>('/api/projects?size=200'),
        api<{ items: Row[] }>('/api/remote-access/targets?size=200'),
        api<{ items: Row[] }>('/api/workers').catch(() => ({ items: [] as Row[] })),
      ]);
      projects.replaceChildren(...(p.items.length ? p.items.map((x) => h('li', {},
        h('a', { href: `#/projects/${x.id}`, 'data-project': String(x.id) }, String(x.name))))
        : [h('li', { class: 'muted' }, can(me, 'operator') ? 'None yet: add one under Inventory.' : 'None yet.')]));
      const live = new Map<string, string>();
      for (const x of w.items) {
        if (x.target_id && !x.stopped_at) live.set(String(x.target_id), String(x.state));
      }
      // the registry's remote-access view: a live TCP check of each target, its Codex status, its host key
      servers.replaceChildren(...(t.items.length ? t.items.map((x) => {
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
    } catch (e) {
      if (e instanceof LoginRequired) {
        showLogin();
        return;
      }
      side.append(h('p', { class: 'error', role: 'alert' }, describe(e)));
    }
  };
  await refresh();
  setInterval(() => void refresh(), 10_000);
  window.addEventListener('devops:changed', () => void refresh());
}

let leave: () => void = () => undefined;
let first = true;

async function route(main: HTMLElement, me: Me): Promise<void> {
  leave();
  leave = () => undefined;
  const [path, q] = (location.hash.replace(/^#/, '') || '/').split('?');
  const parts = path.split('/').filter(Boolean);
  document.querySelectorAll('header nav a').forEach((a) =>
    a.toggleAttribute('aria-current', (a.getAttribute('href') ?? '').replace('#/', '') === (parts[0] ?? '')));
  main.replaceChildren(h('p', { class: 'muted' }, 'loading…'));
  try {
    if (parts[0] === 'projects' && parts[1]) {
      leave = await sessionView(main, me, parts[1]);
    } else if (parts[0] === 'inventory') {
      leave = await inventoryView(main, me, parts[1] ?? 'projects');
    } else if (parts[0] === 'onboarding') {
      leave = await onboardingView(main, me, parts[1] ?? null);
    } else if (parts[0] === 'workflows') {
      leave = await workflowsView(main, me, parts[1] ?? null);
    } else if (parts[0] === 'audit') {
      leave = await auditView(main, me, new URLSearchParams(q ?? ''));
    } else {
      // home: the coordinator chat; a project's session is one click away in the side panel
      leave = await chatView(main, me);
    }
  } catch (e) {
    if (e instanceof LoginRequired) {
      showLogin();
      return;
    }
    main.replaceChildren(h('p', { class: 'error', role: 'alert' }, describe(e)));
  }
  main.focus({ preventScroll: true });
  if (first) {
    first = false;
    performance.mark('console-usable');
  }
}

async function showConsole(me: Me): Promise<void> {
  const side = h('aside', { id: 'side', 'aria-label': 'Projects and servers' });
  const menu = h('button', { type: 'button', class: 'menu secondary', 'aria-controls': 'side', 'aria-expanded': 'false',
    onclick: () => {
      const open = document.body.classList.toggle('side-open');
      menu.setAttribute('aria-expanded', String(open));
    } }, '☰ Projects');
  const main = h('main', { id: 'main', tabindex: -1 });
  const header = h('header', {}, menu, h('a', { href: '#/', class: 'brand' }, 'DevOps Console'),
    h('nav', { 'aria-label': 'Sections' }, h('a', { href: '#/inventory' }, 'Inventory'), h('a', { href: '#/onboarding' }, 'Onboarding'),
      h('a', { href: '#/workflows' }, 'Workflows'),
      h('a', { href: '#/audit' }, 'Audit')),
    h('span', { class: 'who', title: me.roles.join(', ') }, me.name, ' ', badge(topRole(me), 'role')),
    h('a', { href: '/auth/logout' }, 'Sign out'));
  app.replaceChildren(header, h('div', { class: 'layout' }, side, main));
  window.addEventListener('hashchange', () => {
    document.body.classList.remove('side-open');
    void route(main, me);
  });
  await Promise.all([sidePanel(side, me), route(main, me)]);
}

function topRole(me: Me): string {
  return (['admin', 'approver', 'operator', 'viewer'] as const).find((r) => can(me, r)) ?? 'no role';
}

async function start(): Promise<void> {
  try {
    await showConsole(await whoAmI());
  } catch (e) {
    if (e instanceof LoginRequired) {
      showLogin();
    } else {
      app.replaceChildren(h('p', { class: 'error', role: 'alert' }, describe(e)));
    }
  }
}

void start();
