/**
 * The console: sign-in, then a side panel (projects; servers with live TCP reachability, Codex status
 * and whether a worker is connected, refreshed every 10 s) and the main view chosen by the URL hash — the
 * coordinator chat (home), a project's session, inventory, onboarding, audit. What a role may not do is not offered (the services
 * still refuse it). `console-usable` is marked when the first view after sign-in is drawn.
 */
import { LoginRequired, can, describe, whoAmI, type Me } from './api';
import { badge, h } from './dom';
import { auditView } from './views/audit';
import { rememberReturn, sidePanel, takeReturn } from './views/side';
import { workflowsView } from './views/workflows';
import { inboxView } from './views/inbox';
import { chatView } from './views/chat';
import { inventoryView } from './views/inventory';
import { onboardingView } from './views/onboarding';
import { sessionView, splitView } from './views/session';
import { viewSwitch } from './viewswitch';
import './style.css';

const app = document.getElementById('app')!;

function showLogin(): void {
  // the sign-in round trip loses the hash (it never reaches the server): keep it for after
  const button = h('a', { href: '/auth/login', class: 'button', onclick: () => rememberReturn(location.hash) }, 'Sign in');
  app.replaceChildren(h('main', { class: 'login' }, h('h1', {}, 'DevOps Console'),
    h('p', {}, 'Sign in with your organisation account.'), button));
  button.focus();
}

let first = true;

async function route(show: ReturnType<typeof viewSwitch>, main: HTMLElement, me: Me): Promise<void> {
  const [path, q] = (location.hash.replace(/^#/, '') || '/').split('?');
  const parts = path.split('/').filter(Boolean);
  document.querySelectorAll('header nav a').forEach((a) =>
    a.toggleAttribute('aria-current', (a.getAttribute('href') ?? '').replace('#/', '') === (parts[0] ?? '')));
  const current = await show(async (view) => {
    try {
      if (parts[0] === 'split' && parts.length > 1) {
        return await splitView(view, me, parts.slice(1, 4));
      } else if (parts[0] === 'projects' && parts[1]) {
        return await sessionView(view, me, parts[1], parts.slice(2), new URLSearchParams(q ?? ''));
      } else if (parts[0] === 'inventory') {
        return await inventoryView(view, me, parts[1] ?? 'projects');
      } else if (parts[0] === 'onboarding') {
        return await onboardingView(view, me, parts[1] ?? null, parts[2] ?? null);
      } else if (parts[0] === 'inbox') {
        return await inboxView(view, me);
      } else if (parts[0] === 'workflows') {
        return await workflowsView(view, me, parts[1] ?? null);
      } else if (parts[0] === 'audit') {
        return await auditView(view, me, new URLSearchParams(q ?? ''));
      }
      // home: the coordinator chat; a project's session is one click away in the side panel
      return await chatView(view, me);
    } catch (e) {
      if (e instanceof LoginRequired) {
        showLogin();
      } else {
        view.replaceChildren(h('p', { class: 'error', role: 'alert' }, describe(e)));
      }
      return () => undefined;
    }
  });
  if (!current || !main.isConnected) { // a newer view is shown, or the sign-in page
    return;
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
      h('a', { href: '#/inbox' }, 'Inbox', ' ', h('span', { class: 'count', id: 'inbox-count', hidden: true,
        'aria-label': 'approvals waiting' })),
      h('a', { href: '#/audit' }, 'Audit')),
    h('span', { class: 'who', title: me.roles.join(', ') }, me.name, ' ', badge(topRole(me), 'role')),
    h('a', { href: '/auth/logout' }, 'Sign out'));
  app.replaceChildren(header, h('div', { class: 'layout' }, side, main));
  const show = viewSwitch(main);
  window.addEventListener('hashchange', () => {
    document.body.classList.remove('side-open');
    void route(show, main, me);
  });
  await Promise.all([sidePanel(side, me, showLogin), route(show, main, me)]);
}

function topRole(me: Me): string {
  return (['admin', 'approver', 'operator', 'viewer'] as const).find((r) => can(me, r)) ?? 'no role';
}

async function start(): Promise<void> {
  try {
    const me = await whoAmI();
    const back = takeReturn();
    if (back && (location.hash === '' || location.hash === '#/' || location.hash === '#')) {
      history.replaceState(null, '', back);
    }
    await showConsole(me);
  } catch (e) {
    if (e instanceof LoginRequired) {
      showLogin();
    } else {
      app.replaceChildren(h('p', { class: 'error', role: 'alert' }, describe(e)));
    }
  }
}

void start();
