/**
 * First-run guidance: until the installation has run a session, the home page shows the way there —
 * the console's key on a server, the server onboarded, a project, its runtime profile, a session — each
 * step checked against what the API holds (done ones ticked), the key with a copy button. It can be put
 * away (remembered in this browser) and disappears by itself once a session has run.
 */
import { api, can, type Me } from '../api';
import { copyButton, h, text, type Row } from '../dom';

const DISMISSED = 'devops.first-run-dismissed';

export async function firstRun(me: Me): Promise<HTMLElement | null> {
  if (localStorage.getItem(DISMISSED) === '1') {
    return null;
  }
  const [targets, projects, profiles, sessions, key] = await Promise.all([
    api<{ items: Row[] }>('/api/ssh-targets?size=200').catch(() => null),
    api<{ items: Row[] }>('/api/projects?size=200').catch(() => null),
    api<{ items: Row[] }>('/api/runtime-profiles?size=200').catch(() => null),
    api<{ items: Row[] }>('/api/sessions?limit=1').catch(() => null),
    api<Row>('/api/ssh-keys/control-plane').catch(() => null),
  ]);
  if (!targets || !projects || !profiles || !sessions) {
    return null; // cannot tell what is done: say nothing rather than something untrue
  }
  if (sessions.items.length > 0) {
    return null;
  }
  const trusted = targets.items.some((t) => t.trusted_host_key && !t.retired);
  const ready = targets.items.some((t) => t.codex_status === 'ready' && !t.retired);
  const firstProject = projects.items[0];
  const steps: [boolean, string, Node | string][] = [
    [trusted, 'Put the console\'s key on a server', key ? h('span', {}, 'Add this line to ~/.ssh/authorized_keys of the login user: ',
      h('code', { class: 'key-line' }, text(key.authorized_keys_line)), ' ', copyButton(text(key.authorized_keys_line)))
      : 'An admin configures the console\'s SSH identity first.'],
    [ready, 'Onboard the server', h('a', { href: '#/onboarding' }, 'Onboarding: trust its host key, install Codex, give it auth')],
    [projects.items.length > 0, 'Create a project', h('a', { href: '#/inventory/projects' }, 'Inventory → Projects')],
    [profiles.items.length > 0, 'Say where the project runs', h('a', { href: '#/inventory/runtime-profiles' }, 'Inventory → Runtime profiles (server and directory)')],
    [false, 'Start a session', firstProject ? h('a', { href: `#/projects/${firstProject.id}` }, `Open ${text(firstProject.name)} and start its session`)
      : 'Open a project and start its session'],
  ];
  const box = h('section', { class: 'first-run', 'aria-label': 'Getting started' },
    h('h2', {}, 'Getting started'),
    h('ol', {}, ...steps.map(([done, title, how]) => h('li', { class: done ? 'done' : '' },
      h('strong', {}, `${done ? '✓ ' : ''}${title}`), h('div', { class: 'muted' }, how)))),
    can(me, 'operator') ? null : h('p', { class: 'muted' }, 'These steps need an operator.'));
  const hide = h('button', { type: 'button', class: 'secondary', onclick: () => {
    localStorage.setItem(DISMISSED, '1');
    box.remove();
  } }, 'Hide this');
  box.append(hide);
  return box;
}
