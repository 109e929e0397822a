import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Me } from '../api';
import { chatView } from './chat';
import { inventoryView } from './inventory';
import { sessionView, splitView } from './session';
import { workflowsView } from './workflows';
import { auditView } from './audit';
import { onboardingView } from './onboarding';
import { attention, inboxView, type InboxItem } from './inbox';
import { sidePanel } from './side';
import { firstRun } from './firstrun';
import { batchView, bulkForm, parseHosts } from './bulk';
import { appServers, consoleLog } from './operations';
// @ts-expect-error -- vitest runs in Node; the console's own types (browser only) do not include Node's
import { readFileSync } from 'node:fs';

/** The API as the BFF answers it: path -> [status, body]; every call is recorded. */
let routes: Record<string, [number, unknown]>;
let calls: { method: string; path: string; body: unknown }[];
const sources: FakeSource[] = [];

class FakeSource extends EventTarget {
  onmessage: ((e: MessageEvent) => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {
    super();
    sources.push(this);
  }
  close() { /* nothing to release */ }
  emit(seq: number, data: unknown) {
    this.onmessage?.(new MessageEvent('message', { data: JSON.stringify(data), lastEventId: String(seq) }));
  }
}

const me = (...roles: string[]): Me => ({ name: 'alice', roles, csrf_token: 't' });
const tick = () => new Promise((r) => setTimeout(r, 0));
const frame = () => new Promise((r) => setTimeout(r, 30));

beforeEach(() => {
  calls = [];
  sources.length = 0;
  routes = {
    'GET /api/projects?size=200': [200, { items: [{ id: 'p1', name: 'Payments', slug: 'payments', default_working_directory: '/srv' }] }],
    'GET /api/projects/p1': [200, { id: 'p1', name: 'Payments', slug: 'payments' }],
    'GET /api/ssh-targets?size=200': [200, { items: [{ id: 't1', name: 'web-1', host: '10.0.0.5', port: 22, username: 'root',
      environment: 'lab', codex_status: 'ready', trusted_host_key: null }] }],
    'GET /api/sessions/active?project_id=p1': [200, { id: 's1', project_id: 'p1', state: 'active', started_by: 'bob', turn_operator: 'bob' }],
    'GET /api/sessions/s1/approvals': [200, { items: [{ id: 'a1', request_id: 'r1', risk: 'destructive', state: 'pending',
      summary: 'run: rm -rf build' }] }],
  };
  vi.stubGlobal('fetch', vi.fn(async (path: string, init: RequestInit) => {
    const method = init?.method ?? 'GET';
    calls.push({ method, path, body: init?.body ? JSON.parse(String(init.body)) : undefined });
    const [status, body] = routes[`${method} ${path}`] ?? [404, { status: 404, detail: `no route ${method} ${path}` }];
    return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  }));
  vi.stubGlobal('EventSource', FakeSource);
  document.body.replaceChildren();
});

afterEach(() => vi.unstubAllGlobals());

describe('what a role may not do is not offered', () => {
  it('inventory: a viewer gets the list only; an operator the form; only an admin the host-key trust', async () => {
    const root = document.createElement('main');
    await inventoryView(root, me('viewer'), 'ssh-targets');
    expect(root.querySelector('table')?.textContent).toContain('web-1');
    expect(root.querySelector('form')).toBeNull();
    await inventoryView(root, me('viewer', 'operator'), 'ssh-targets');
    expect(root.querySelector(':scope > form button[type=submit]')?.textContent).toBe('Create');
    expect(root.textContent).not.toContain('Trust host key');
    await inventoryView(root, me('viewer', 'operator', 'approver', 'admin'), 'ssh-targets');
    expect(root.textContent).toContain('Trust host key');
  });

  it('session: a viewer sees the transcript and the card, but no composer, interrupt or decision buttons', async () => {
    const root = document.createElement('main');
    document.body.append(root);
    await sessionView(root, me('viewer'), 'p1');
    sources[0].emit(1, { seq: 1, kind: 'approval_requested', body: { request_id: 'r1', approval_kind: 'command', command: 'rm -rf build' } });
    await tick();
    await frame();
    expect(root.querySelector('textarea')).toBeNull();
    expect([...root.querySelectorAll('button:not(.copy):not(.jump-latest)')].map((b) => b.textContent)).toEqual([]);
    expect(root.querySelector('section.approval')?.textContent).toContain('Waiting for the session\'s operator or an approver');
  });

  it('session: with no live session an operator may start one, a viewer may not', async () => {
    routes['GET /api/sessions/active?project_id=p1'] = [404, { status: 404, detail: 'none' }];
    const root = document.createElement('main');
    await sessionView(root, me('viewer'), 'p1');
    expect(root.textContent).toContain('No live session');
    expect(root.querySelector('.empty button')).toBeNull();
    await sessionView(root, me('viewer', 'operator'), 'p1');
    expect(root.querySelector('.empty button')?.textContent).toBe('Start session');
  });
});

describe('a session that ends', () => {
  it('keeps the transcript, takes the composer away and offers operators a new session', async () => {
    const root = document.createElement('main');
    document.body.append(root);
    await sessionView(root, me('viewer', 'operator'), 'p1');
    sources[0].emit(1, { seq: 1, kind: 'operator_message', actor: 'alice', body: { text: 'hello' } });
    sources[0].dispatchEvent(new Event('end'));
    await frame();
    expect(root.querySelector('.transcript')?.textContent).toContain('hello');
    expect(root.querySelector('textarea')).toBeNull();
    expect(root.querySelector('.ended a')?.getAttribute('href')).toBe('#/projects/p1?after=s1');
  });

  it('an approval still waiting when the session ended is no longer offered for a decision', async () => {
    routes['GET /api/sessions/s1'] = [200, { id: 's1', project_id: 'p1', state: 'stopped', state_reason: 'worker stopped',
      started_by: 'bob', turn_operator: 'bob', ended_at: '2026-12-06T10:00:00Z' }];
    const root = document.createElement('main');
    document.body.append(root);
    await sessionView(root, me('viewer', 'operator', 'approver'), 'p1');
    sources[0].emit(1, { seq: 1, kind: 'approval_requested', body: { request_id: 'r1', approval_kind: 'command', command: 'rm -rf build' } });
    await tick();
    await frame();
    expect(root.querySelector('section.approval button.approve')).not.toBeNull();
    sources[0].dispatchEvent(new Event('end'));
    await tick();
    await frame();
    const card = root.querySelector('section.approval')!;
    expect(card.querySelector('button')).toBeNull();
    expect(card.textContent).toContain('the session ended before a decision');
  });
});

describe('session history', () => {
  const summary = (over: Record<string, unknown>) => ({ id: 's0', project_id: 'p1', state: 'stopped', state_reason: null,
    started_by: 'bob', created_at: '2026-12-01T10:00:00Z', ended_at: '2026-12-01T11:00:00Z', first_message: 'hello',
    target_name: null, working_directory: null, total_tokens: 0, ...over });

  it('with no live session lists past sessions with how and why they ended, searchable, a page at a time', async () => {
    routes['GET /api/sessions/active?project_id=p1'] = [404, { status: 404, detail: 'none' }];
    routes['GET /api/sessions?project_id=p1&limit=20'] = [200, { next_before: '2026-11-01T00:00:00Z', items: [
      summary({ id: 's2', state: 'failed', state_reason: 'worker lost: connection reset', first_message: 'deploy <b>now</b>\u202e',
        target_name: 'web-1', working_directory: '/srv/payments', total_tokens: 12345 }),
      summary({ id: 's1', state_reason: 'done for today (bob)' })] }];
    routes['GET /api/sessions?project_id=p1&limit=20&before=2026-11-01T00%3A00%3A00Z'] = [200, { next_before: null,
      items: [summary({ id: 's0', first_message: null })] }];
    routes['GET /api/sessions?project_id=p1&limit=20&q=nginx+-t&state=failed'] = [200, { next_before: null, items: [] }];
    const root = document.createElement('main');
    await sessionView(root, me('viewer'), 'p1');
    await frame();
    const entries = [...root.querySelectorAll('.history-entry')] as HTMLElement[];
    expect(entries.map((e) => e.dataset.session)).toEqual(['s2', 's1']);
    expect(entries[0].querySelector('a')?.getAttribute('href')).toBe('#/projects/p1/sessions/s2');
    expect(entries[0].textContent).toContain('deploy <b>now</b>⟦RLO⟧');   // inert: markup stays text, bidi visible
    expect(entries[0].querySelector('b')).toBeNull();
    expect(entries[0].textContent).toContain('on web-1 in /srv/payments');
    expect(entries[0].textContent).toContain('12,345 tokens');
    expect(entries[0].querySelector('.reason.error')?.textContent).toBe('worker lost: connection reset');
    expect(entries[1].querySelector('.reason')?.textContent).toBe('done for today (bob)');
    const more = [...root.querySelectorAll('button')].find((b) => b.textContent === 'Older sessions')!;
    expect(more.hidden).toBe(false);
    more.click();
    await frame();
    expect(root.querySelectorAll('.history-entry')).toHaveLength(3);
    expect(root.querySelector('[data-session="s0"] .about')?.textContent).toBe('(no message sent)');
    expect(more.hidden).toBe(true);
    (root.querySelector('#history-q') as HTMLInputElement).value = 'nginx -t';
    (root.querySelector('#history-state') as HTMLSelectElement).value = 'failed';
    (root.querySelector('form.history-search') as HTMLFormElement).requestSubmit();
    await frame();
    expect(root.querySelector('.history')?.textContent).toBe('No session matches.');
  });

  it('a search submitted while the previous one is still loading is not ignored; the older answer is dropped', async () => {
    routes['GET /api/sessions/active?project_id=p1'] = [404, { status: 404, detail: 'none' }];
    routes['GET /api/sessions?project_id=p1&limit=20'] = [200, { next_before: null, items: [summary({ id: 's1' })] }];
    routes['GET /api/sessions?project_id=p1&limit=20&q=no-such-words'] = [200, { next_before: null, items: [] }];
    const root = document.createElement('main');
    await sessionView(root, me('viewer'), 'p1');
    await frame();
    expect(root.querySelectorAll('.history-entry')).toHaveLength(1);
    // the first search ("slow") answers only after the second was submitted and answered
    let answerSlow: () => void = () => undefined;
    const slow = new Promise<void>((r) => { answerSlow = r; });
    const fetch = globalThis.fetch;
    vi.stubGlobal('fetch', vi.fn(async (path: string, init: RequestInit) => {
      if (path.includes('q=slow')) {
        await slow;
        return new Response(JSON.stringify({ next_before: null, items: [summary({ id: 'stale' })] }), { status: 200,
          headers: { 'Content-Type': 'application/json' } });
      }
      return fetch(path, init);
    }));
    const q = root.querySelector('#history-q') as HTMLInputElement;
    const form = root.querySelector('form.history-search') as HTMLFormElement;
    q.value = 'slow';
    form.requestSubmit();
    await tick();
    q.value = 'no-such-words';
    form.requestSubmit();
    await frame();
    expect(root.querySelector('.history')?.textContent).toBe('No session matches.');
    answerSlow();
    await frame();
    expect(root.querySelector('.history')?.textContent).toBe('No session matches.');
    expect(root.querySelector('[data-session="stale"]')).toBeNull();
    expect((root.querySelector('.history-section [role="alert"]') as HTMLElement).textContent).toBe('');
  });

  it('an ended session opened from the history shows its transcript, how it ended and where it ran', async () => {
    routes['GET /api/sessions/s9'] = [200, { id: 's9', project_id: 'p1', state: 'failed', started_by: 'bob', turn_operator: null,
      approval_policy: 'manual', last_seq: 3, state_reason: 'worker lost: connection reset', created_at: '2026-12-01T10:00:00Z',
      ended_at: '2026-12-01T10:05:00Z' }];
    routes['GET /api/sessions/s9/approvals'] = [200, { items: [] }];
    routes['GET /api/runtime-profiles?project_id=p1'] = [200, { items: [{ bindings: [{ target_id: 't1', role: 'primary',
      working_directory: '/srv/payments' }], codex: { model: 'gpt-5-codex', sandbox_mode: 'workspace-write', approval_policy: 'untrusted' } }] }];
    routes['GET /api/ssh-targets/t1'] = [200, { id: 't1', name: 'web-1', host: '10.0.0.5' }];
    const root = document.createElement('main');
    document.body.append(root);
    const leave = await sessionView(root, me('viewer', 'operator'), 'p1', ['sessions', 's9']);
    expect(sources[0].url).toContain('/api/sessions/s9/stream');
    sources[0].emit(1, { seq: 1, kind: 'operator_message', actor: 'bob', body: { text: 'deploy' } });
    sources[0].emit(2, { seq: 2, kind: 'worker_state', body: { state: 'ready', target_name: 'web-1', working_directory: '/srv/payments' } });
    sources[0].emit(3, { seq: 3, kind: 'worker_state', body: { state: 'lost', message: 'connection reset' } });
    sources[0].dispatchEvent(new Event('end'));
    await frame();
    await frame();
    expect(root.querySelector('.transcript')?.textContent).toContain('deploy');
    expect(root.querySelector('.ended')?.textContent).toContain('(failed: worker lost: connection reset)');
    const facts = Object.fromEntries([...root.querySelectorAll('.session-facts dt')].map((dt) =>
      [dt.textContent, (dt.nextElementSibling as HTMLElement).textContent]));
    expect(facts.Server).toBe('web-1 (10.0.0.5)');
    expect(facts.Directory).toBe('/srv/payments');
    expect(facts.Model).toBe('gpt-5-codex');
    expect(facts.Sandbox).toBe('workspace-write');
    expect(facts.Approvals).toBe('every request asks (Codex: untrusted)');
    expect(facts.Ended).toContain('worker lost: connection reset');
    expect(facts.Session).toContain('s9');
    expect(root.querySelector('.session-facts a')?.getAttribute('href')).toBe('#/audit?session_id=s9');
    expect(root.querySelector('textarea')).toBeNull();
    leave();
  });
});

describe('reading a long session', () => {
  it('renders the agent\'s markdown, folds long messages and finds words record by record', async () => {
    const root = document.createElement('main');
    document.body.append(root);
    const leave = await sessionView(root, me('viewer'), 'p1');
    sources[0].emit(1, { seq: 1, kind: 'operator_message', actor: 'alice', body: { text: 'deploy web-1' } });
    sources[0].emit(2, { seq: 2, kind: 'item_completed', turn_id: 't', item_id: 'm1', body: { item_type: 'agent_message',
      status: 'completed', text: '## Result\n\n| host | state |\n|---|---|\n| web-1 | deployed |\n\n- [x] deploy\n<script>x</script>' } });
    const long = Array.from({ length: 60 }, (_, i) => `line ${i} of the log`).join('\n');
    sources[0].emit(3, { seq: 3, kind: 'item_completed', turn_id: 't', item_id: 'm2', body: { item_type: 'agent_message',
      status: 'completed', text: `Here is the whole log:\n\n${long}\n\nwhich shows it deployed` } });
    await frame();
    const [first, second] = [...root.querySelectorAll('.msg.agent')] as HTMLElement[];
    expect(first.querySelector('h2')?.textContent).toBe('Result');
    expect(first.querySelector('table td:last-child')?.textContent).toBe('deployed');
    expect((first.querySelector('li.task input') as HTMLInputElement).checked).toBe(true);
    expect(first.querySelector('script')).toBeNull();
    expect(first.classList.contains('folded')).toBe(false);
    expect(second.classList.contains('folded')).toBe(true);
    const unfold = second.querySelector('button.unfold') as HTMLButtonElement;
    unfold.click();
    expect(second.classList.contains('folded')).toBe(false);
    expect(unfold.textContent).toBe('Show less');

    const find = root.querySelector('input.find') as HTMLInputElement;
    const count = root.querySelector('.found-count')!;
    find.value = 'DEPLOY';
    find.dispatchEvent(new Event('input'));
    find.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
    expect(count.textContent).toBe('1 of 3');
    expect(root.querySelector('.found')?.textContent).toContain('deploy web-1');
    find.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
    expect(count.textContent).toBe('2 of 3');
    expect(root.querySelectorAll('.found')).toHaveLength(1);
    find.value = 'nowhere';
    find.dispatchEvent(new Event('input'));
    find.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
    expect(count.textContent).toBe('not found');
    leave();
  });
});

describe('changing, retiring and removing targets', () => {
  const target = (over: Record<string, unknown>) => ({ id: 't1', name: 'web-1', host: '10.0.0.5', port: 22, username: 'root',
    environment: 'lab', access_path: 'lan', codex_status: 'ready', trusted_host_key: null, retired: false, version: 3,
    key_reference: null, site_id: null, tunnel_profile_id: null, ...over });
  const submit = async (details: Element, values: Record<string, string>) => {
    (details as HTMLDetailsElement).open = true;
    for (const [name, value] of Object.entries(values)) {
      const input = details.querySelector(`[name="${name}"]`) as HTMLInputElement;
      input.value = value;
    }
    (details.querySelector('form') as HTMLFormElement).requestSubmit();
    await frame();
  };

  it('a production target changes and retires only with its name typed; the request carries confirm and the version', async () => {
    routes['GET /api/ssh-targets?size=200'] = [200, { items: [target({ environment: 'production', name: 'db-prod' })] }];
    routes['PUT /api/ssh-targets/t1'] = [200, target({ environment: 'production', name: 'db-prod-1' })];
    routes['POST /api/ssh-targets/t1/retire'] = [200, target({ retired: true })];
    const root = document.createElement('main');
    await inventoryView(root, me('viewer', 'operator', 'approver'), 'ssh-targets');
    const [change, retire] = [...root.querySelectorAll('tr[data-id="t1"] details.row-action')];
    expect(change.querySelector('summary')?.textContent).toBe('Change');
    expect(retire.querySelector('summary')?.textContent).toBe('Retire db-prod');
    await submit(change, { name: 'db-prod-1', confirm_name: 'nope' });
    expect(calls.filter((c) => c.method === 'PUT')).toEqual([]);
    expect(change.textContent).toContain('A production target changes only with its name (db-prod) typed.');
    await submit(change, { name: 'db-prod-1', confirm_name: 'db-prod' });
    expect(calls.find((c) => c.method === 'PUT')?.body).toMatchObject({ name: 'db-prod-1', host: '10.0.0.5', port: 22,
      environment: 'production', version: 3, confirm: true });
    await submit(retire, { typed: 'db-pro' });
    expect(calls.filter((c) => c.path.endsWith('/retire'))).toEqual([]);
    await submit(retire, { typed: 'db-prod' });
    expect(calls.find((c) => c.path.endsWith('/retire'))?.body).toEqual({ version: 3, confirm: true });
  });

  it('a retired target can only be removed, by an approver, with its name typed', async () => {
    routes['GET /api/ssh-targets?size=200'] = [200, { items: [target({ retired: true })] }];
    routes['DELETE /api/ssh-targets/t1'] = [204, {}];
    const root = document.createElement('main');
    await inventoryView(root, me('viewer', 'operator'), 'ssh-targets');
    expect(root.querySelector('tr[data-id="t1"]')?.textContent).toContain('retired');
    expect(root.querySelector('tr[data-id="t1"] details')).toBeNull();
    await inventoryView(root, me('viewer', 'operator', 'approver'), 'ssh-targets');
    const remove = root.querySelector('tr[data-id="t1"] details.row-action')!;
    expect(remove.querySelector('summary')?.textContent).toBe('Remove web-1');
    await submit(remove, { typed: 'web-1', reason: 'decommissioned' });
    expect(calls.find((c) => c.method === 'DELETE')?.body).toEqual({ confirm: true, version: 3, reason: 'decommissioned' });
  });
});

describe('operations from the inventory', () => {
  const submitIn = async (details: Element, values: Record<string, string>, checks: string[] = []) => {
    (details as HTMLDetailsElement).open = true;
    await frame();
    for (const [name, value] of Object.entries(values)) {
      const el = details.querySelector(`[name="${name}"]`) as HTMLInputElement | HTMLSelectElement;
      if (el instanceof HTMLSelectElement && ![...el.options].some((o) => o.value === value)) {
        el.append(new Option(value, value));
      }
      el.value = value;
    }
    for (const c of checks) (details.querySelector(`[name="${c}"]`) as HTMLInputElement).checked = true;
    (details.querySelector('form') as HTMLFormElement).requestSubmit();
    await frame();
  };

  it('a target\'s app-servers: listed when opened, orphans cleaned, one stopped', async () => {
    routes['GET /api/targets/t1/app-servers'] = [200, { target_id: 't1', observed_at: '2026-12-06T10:00:00Z', observed_by: 'sweep',
      items: [{ server_key: 'k1', pid: 42, alive: true, working_directory: '/srv', orphan: true, stale: false }] }];
    routes['POST /api/targets/t1/app-servers/clean'] = [200, { target_id: 't1', removed: ['k1'], kept: [] }];
    routes['POST /api/targets/t1/app-servers/k1/stop'] = [200, { server_key: 'k1', alive: false }];
    const root = document.createElement('main');
    await inventoryView(root, me('viewer', 'operator'), 'ssh-targets');
    const fold = [...root.querySelectorAll('tr[data-id="t1"] details')].find((d) => d.querySelector('summary')?.textContent === 'App-servers')!;
    (fold as HTMLDetailsElement).open = true;
    fold.dispatchEvent(new Event('toggle'));
    await frame();
    expect(fold.querySelector('li[data-server="k1"]')?.textContent).toContain('no worker owns it');
    [...fold.querySelectorAll('button')].find((b) => b.textContent === 'Clean what no worker owns')!.click();
    await frame();
    expect(fold.textContent).toContain('removed 1, kept 0');
    [...fold.querySelectorAll('button')].find((b) => b.textContent === 'Stop')!.click();
    await frame();
    expect(calls.map((c) => `${c.method} ${c.path}`)).toContain('POST /api/targets/t1/app-servers/k1/stop');
  });

  it('WireGuard: activating asks for the confirmation and sends it with the gateway', async () => {
    routes['GET /api/tunnels?size=200'] = [200, { items: [{ id: 'w1', name: 'lab-vpn', interface_name: 'wg0', config_path: '/etc/wireguard/wg0.conf' }] }];
    routes['POST /api/tunnels/w1/wireguard/activate'] = [200, { outcome: 'succeeded', operational_state: 'up', detail: 'handshake seen',
      commands: [{ command: 'sudo -n wg-quick up wg0', exit_code: 0, output: '' }] }];
    const root = document.createElement('main');
    await inventoryView(root, me('viewer', 'operator'), 'tunnels');
    const activate = [...root.querySelectorAll('tr[data-id="w1"] details details')].find((d) => d.querySelector('summary')?.textContent === 'Activate')!;
    await submitIn(activate, { gateway_target_id: 't1' });
    expect(calls.filter((c) => c.method === 'POST')).toEqual([]);
    expect(activate.textContent).toContain('Confirm that this may change the gateway.');
    await submitIn(activate, { gateway_target_id: 't1' }, ['confirm_execute']);
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ gateway_target_id: 't1', confirm_execute: true });
    expect(root.querySelector('tr[data-id="w1"] .wg-result')?.textContent).toContain('handshake seen');
  });

  it('SSH keys: everyone sees the console\'s key; only an admin stores or deletes override keys', async () => {
    routes['GET /api/ssh-keys/control-plane'] = [200, { authorized_keys_line: 'ssh-ed25519 AAAA devops-console', public_key_fingerprint: 'SHA256:x' }];
    routes['POST /api/ssh-keys'] = [200, { reference: 'local:ssh/deploy', key_type: 'ssh-ed25519', public_key: 'AAAB', public_key_fingerprint: 'SHA256:y', secret_version: 1 }];
    routes['DELETE /api/ssh-keys?reference=local%3Assh%2Fdeploy&confirm=true'] = [204, {}];
    const root = document.createElement('main');
    await inventoryView(root, me('viewer', 'operator'), 'ssh-keys');
    expect(root.querySelector('pre.key-line')?.textContent).toBe('ssh-ed25519 AAAA devops-console');
    expect(root.querySelector('form')).toBeNull();
    await inventoryView(root, me('viewer', 'operator', 'approver', 'admin'), 'ssh-keys');
    const [store, remove] = [...root.querySelectorAll('form')];
    const wrap = (f: Element) => { const d = document.createElement('details'); f.replaceWith(d); d.append(f); return d; };
    await submitIn(wrap(store), { reference: 'local:ssh/deploy', environment: 'lab', private_key: '-----BEGIN OPENSSH PRIVATE KEY-----' }, ['confirm']);
    expect(calls.find((c) => c.method === 'POST')?.body).toMatchObject({ reference: 'local:ssh/deploy', environment: 'lab', confirm: true });
    expect(root.textContent).toContain('Stored local:ssh/deploy');
    await submitIn(wrap(remove), { reference: 'local:ssh/deploy', typed: 'local:ssh/deplo' });
    expect(calls.filter((c) => c.method === 'DELETE')).toEqual([]);
    await submitIn(root.querySelectorAll('details')[1], { reference: 'local:ssh/deploy', typed: 'local:ssh/deploy' });
    expect(calls.filter((c) => c.method === 'DELETE')).toHaveLength(1);
  });
});

describe('sessions side by side', () => {
  it('shows two projects\' sessions, and Escape twice interrupts only the pane last used', async () => {
    routes['GET /api/projects/p2'] = [200, { id: 'p2', name: 'Billing', slug: 'billing' }];
    routes['GET /api/sessions/active?project_id=p2'] = [200, { id: 's2', project_id: 'p2', state: 'active', started_by: 'alice',
      turn_operator: 'alice' }];
    routes['GET /api/sessions/s2/approvals'] = [200, { items: [] }];
    routes['POST /api/sessions/s2/interrupt'] = [202, {}];
    routes['POST /api/sessions/s1/interrupt'] = [202, {}];
    const root = document.createElement('main');
    document.body.append(root);
    const leave = await splitView(root, me('viewer', 'operator', 'approver'), ['p1', 'p2']);
    const panes = [...root.querySelectorAll('.pane')] as HTMLElement[];
    expect(panes.map((p) => p.querySelector('h1')?.textContent)).toEqual(['Payments', 'Billing']);
    expect(root.querySelectorAll('[role="log"]')).toHaveLength(2);
    const streams = sources.map((x) => x.url);
    expect(streams.some((u) => u.includes('/api/sessions/s1/stream'))).toBe(true);
    expect(streams.some((u) => u.includes('/api/sessions/s2/stream'))).toBe(true);
    for (const src of sources) src.emit(1, { seq: 1, kind: 'turn_started', body: {} });
    await frame();
    panes[1].dispatchEvent(new Event('pointerdown'));
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    await tick();
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual(['/api/sessions/s2/interrupt']);
    expect(panes[0].querySelector('.pane-bar a[aria-label="Close this pane"]')?.getAttribute('href')).toBe('#/projects/p2');
    leave();
  });
});

describe('command output', () => {
  it('shows the end with how much there was, and the whole output on demand', async () => {
    let whole = '';
    for (let i = 1; i <= 3000; i++) whole += `${i}\n`;
    routes['GET /api/sessions/s1/commands/c1/output'] = [200, { output: whole, truncated: false, stored_chars: whole.length,
      output_chars: whole.length }];
    routes['GET /api/sessions/s1/commands/c2/output'] = [200, { output: 'x'.repeat(100), truncated: true, stored_chars: 100,
      output_chars: 50000 }];
    const root = document.createElement('main');
    document.body.append(root);
    const leave = await sessionView(root, me('viewer'), 'p1');
    sources[0].emit(1, { seq: 1, kind: 'item_started', turn_id: 't', item_id: 'c1', body: { item_type: 'command_execution', command: 'seq 1 3000' } });
    sources[0].emit(2, { seq: 2, kind: 'item_completed', turn_id: 't', item_id: 'c1', body: { item_type: 'command_execution',
      status: 'completed', outcome: 'succeeded', exit_code: 0, output: whole.slice(-4096), output_chars: whole.length } });
    await frame();
    const block = root.querySelector('details.command') as HTMLElement;
    expect(block.querySelector('pre.output')?.textContent).toBe(whole.slice(-4096));
    expect(block.querySelector('.output-mark')?.textContent).toContain(`Showing the last 4,096 of ${whole.length.toLocaleString()} characters.`);
    (block.querySelector('.output-mark button') as HTMLButtonElement).click();
    await frame();
    await frame();
    const again = root.querySelector('details.command') as HTMLElement;
    expect(again.querySelector('pre.output')?.textContent).toBe(whole);
    expect(again.querySelector('pre.output')?.textContent?.startsWith('1\n2\n')).toBe(true);
    expect(again.querySelector('.output-mark')?.textContent).toBe(`The whole output: ${whole.length.toLocaleString()} characters.`);

    // more than the installation keeps: said so
    sources[0].emit(3, { seq: 3, kind: 'item_started', turn_id: 't', item_id: 'c2', body: { item_type: 'command_execution', command: 'cat big' } });
    sources[0].emit(4, { seq: 4, kind: 'item_completed', turn_id: 't', item_id: 'c2', body: { item_type: 'command_execution',
      status: 'completed', outcome: 'succeeded', exit_code: 0, output: 'x'.repeat(4096), output_chars: 50000 } });
    await frame();
    const big = root.querySelectorAll('details.command')[1] as HTMLElement;
    (big.querySelector('.output-mark button') as HTMLButtonElement).click();
    await frame();
    await frame();
    expect((root.querySelectorAll('details.command')[1] as HTMLElement).querySelector('.output-mark')?.textContent)
      .toBe('The first 100 of 50,000 characters were kept.');

    // a short output: no mark; a huge streamed one: only its end is drawn
    sources[0].emit(5, { seq: 5, kind: 'item_started', turn_id: 't', item_id: 'c3', body: { item_type: 'command_execution', command: 'yes' } });
    sources[0].emit(6, { seq: 6, kind: 'command_output_delta', turn_id: 't', item_id: 'c3', body: { delta: 'y\n'.repeat(500000) } });
    sources[0].emit(7, { seq: 7, kind: 'item_completed', turn_id: 't', item_id: 'c3', body: { item_type: 'command_execution',
      status: 'completed', outcome: 'succeeded', exit_code: 0, output: 'y\n'.repeat(2048), output_chars: 1000000 } });
    await frame();
    const yes = root.querySelectorAll('details.command')[2] as HTMLElement;
    expect(yes.querySelector('pre.output')?.textContent).toHaveLength(8192);
    expect(yes.querySelector('.output-mark')?.textContent).toContain('Showing the last 8,192 of 1,000,000 characters.');
    leave();
  });
});

describe('a session just opened', () => {
  it('says its agent starts with the first message, until something happens', async () => {
    routes['GET /api/sessions/active?project_id=p1'] = [200, { id: 's1', project_id: 'p1', state: 'requested', started_by: 'bob' }];
    const root = document.createElement('main');
    document.body.append(root);
    const leave = await sessionView(root, me('viewer', 'operator'), 'p1');
    const hint = root.querySelector('.first-message') as HTMLElement;
    expect(hint.hidden).toBe(false);
    expect(hint.textContent).toContain('starts on a server when the first message is sent');
    sources[0].emit(1, { seq: 1, kind: 'operator_message', actor: 'alice', body: { text: 'hello' } });
    await frame();
    expect(hint.hidden).toBe(true);
    leave();
  });
});

describe('opening a long session', () => {
  it('shows the approval waiting for a decision, not the oldest message', async () => {
    const scrolled: Element[] = [];
    Element.prototype.scrollIntoView = function (this: Element) { scrolled.push(this); };
    const root = document.createElement('main');
    document.body.append(root);
    const leave = await sessionView(root, me('viewer', 'operator', 'approver'), 'p1');
    for (let i = 1; i <= 60; i++) {
      sources[0].emit(i, { seq: i, kind: 'operator_message', actor: 'alice', body: { text: `message ${i}` } });
    }
    sources[0].emit(61, { seq: 61, kind: 'approval_requested', body: { request_id: 'r1', approval_kind: 'command', command: 'rm -rf build' } });
    sources[0].emit(62, { seq: 62, kind: 'agent_message_delta', item_id: 'm', turn_id: 't', body: { delta: 'waiting' } });
    await tick();
    await frame();
    expect(scrolled.at(-1)?.matches('section.approval')).toBe(true);
    leave();
  });
});

describe('interrupting', () => {
  it('one Escape (even while typing) only says what a second one does; two within 3 s interrupt', async () => {
    routes['POST /api/sessions/s1/interrupt'] = [204, {}];
    const root = document.createElement('main');
    document.body.append(root);
    const leave = await sessionView(root, me('viewer', 'operator'), 'p1');
    sources[0].emit(1, { seq: 1, kind: 'turn_started', body: {} });
    await frame();
    const textarea = root.querySelector('textarea')!;
    textarea.value = 'half a sentence';
    textarea.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    await tick();
    expect(calls.filter((c) => c.method === 'POST')).toEqual([]);
    expect((root.querySelector('.escape-hint') as HTMLElement).hidden).toBe(false);
    expect(textarea.value).toBe('half a sentence');
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    await tick();
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual(['/api/sessions/s1/interrupt']);
    leave();
  });
});

describe('approval cards', () => {
  it('a destructive request is approved only with the typed phrase, then shows the decision', async () => {
    routes['POST /api/sessions/s1/approvals/a1/decision'] = [200, { id: 'a1', request_id: 'r1', state: 'approved', risk: 'destructive' }];
    const root = document.createElement('main');
    document.body.append(root);
    await sessionView(root, me('viewer', 'operator', 'approver'), 'p1');
    sources[0].emit(1, { seq: 1, kind: 'approval_requested', body: { request_id: 'r1', approval_kind: 'command', command: 'rm -rf build' } });
    await tick();
    await frame();
    const card = root.querySelector('section.approval')!;
    expect(card.textContent).toContain('destructive');
    (card.querySelector('button.approve') as HTMLButtonElement).click();
    await tick();
    expect(calls.filter((c) => c.method === 'POST')).toEqual([]);
    (card.querySelector('input') as HTMLInputElement).value = 'approve';
    (card.querySelector('button.approve') as HTMLButtonElement).click();
    await tick();
    await frame();
    expect(calls.filter((c) => c.method === 'POST')).toEqual([
      { method: 'POST', path: '/api/sessions/s1/approvals/a1/decision', body: { decision: 'approved' } }]);
    expect(root.querySelector('section.approval .decision')?.textContent).toContain('approved');
  });
});

describe('attachments', () => {
  it('an operator attaches a file as it is; the transcript shows it, then where it went on the host, inert', async () => {
    routes['POST /api/sessions/s1/attachments?name=nginx_1_.conf'] = [201, { id: 'f1', state: 'sent' }];
    const root = document.createElement('main');
    document.body.append(root);
    await sessionView(root, me('viewer', 'operator'), 'p1');
    const input = root.querySelector<HTMLInputElement>('input[type=file]')!;
    const file = new File(['server { listen 80; }\n'], 'nginx (1).conf', { type: '' });
    Object.defineProperty(input, 'files', { value: [file], configurable: true });
    input.dispatchEvent(new Event('change'));
    await tick();
    const sent = (fetch as unknown as { mock: { calls: [string, RequestInit][] } }).mock.calls
      .find(([path]) => path.includes('/attachments'))!;
    expect(sent[0]).toBe('/api/sessions/s1/attachments?name=nginx_1_.conf');
    expect(sent[1].body).toBe(file);
    expect((sent[1].headers as Record<string, string>)['Content-Type']).toBe('text/plain');
    expect((sent[1].headers as Record<string, string>)['X-CSRF-Token']).toBeDefined();

    sources[0].emit(2, { seq: 2, kind: 'attachment_added', actor: 'alice', body: { attachment_id: 'f1', name: 'x\u202e.conf',
      media_type: 'text/plain', size_bytes: 22, uploaded_by: 'alice' } });
    await frame();
    const block = root.querySelector('[data-attachment=f1]')!;
    expect(block.textContent).toContain('being copied');
    expect(block.textContent).toContain('x\u27e6RLO\u27e7.conf');
    expect(block.querySelector('a')?.getAttribute('href')).toBe('/api/sessions/s1/attachments/f1/content');
    sources[0].emit(3, { seq: 3, kind: 'attachment_copied', body: { attachment_id: 'f1', name: 'x.conf', state: 'copied',
      path: '/srv/.devops-console/attachments/x.conf' } });
    await frame();
    expect(root.querySelector('[data-attachment=f1]')?.textContent).toContain('on the host /srv/.devops-console/attachments/x.conf');
  });

  it('a viewer has no Attach button', async () => {
    const root = document.createElement('main');
    await sessionView(root, me('viewer'), 'p1');
    expect(root.querySelector('input[type=file]')).toBeNull();
  });
});

describe('an app-server\'s log', () => {
  it('is offered to admins only, read when opened and shown inert with how much of it this is', async () => {
    routes['GET /api/targets/t1/app-servers'] = [200, { observed_at: '2026-12-06T10:00:00Z', observed_by: 'olga', items: [
      { server_key: '0123456789abcdef0123', pid: 42, alive: true, orphan: false, stale: false, working_directory: '/srv' }] }];
    routes['POST /api/targets/t1/app-servers/0123456789abcdef0123/log'] = [200, { exists: true, size_bytes: 5000, shown_bytes: 30,
      truncated: true, text: 'token=[REDACTED] \u001b[31mred\u001b[0m \u202eevil\n', read_at: '2026-12-06T10:01:00Z' }];
    const operator = appServers({ id: 't1' }, me('viewer', 'operator')) as HTMLDetailsElement;
    operator.open = true;
    await frame();
    expect(operator.querySelector('[data-server]')?.textContent).toContain('0123456789abcdef0123');
    expect(operator.querySelector('.app-server-log')).toBeNull();

    const admin = appServers({ id: 't1' }, me('viewer', 'operator', 'approver', 'admin')) as HTMLDetailsElement;
    admin.open = true;
    await frame();
    const log = admin.querySelector<HTMLDetailsElement>('.app-server-log')!;
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
    log.open = true;
    await frame();
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual(['/api/targets/t1/app-servers/0123456789abcdef0123/log']);
    expect(log.textContent).toContain('The last 30 of 5,000 bytes');
    const shown = log.querySelector('pre')!.textContent!;
    expect(shown).toContain('token=[REDACTED] red \u27e6RLO\u27e7evil');
    expect(shown).not.toContain('\u001b');
  });
});

describe('forms', () => {
  it('puts the API\'s field errors next to their fields and the rest above the button', async () => {
    routes['POST /api/projects'] = [400, { status: 400, detail: '2 fields are invalid', errors: [
      { field: 'slug', message: 'must be 1-63 lower-case letters' }, { field: 'owner', message: 'is unknown' }] }];
    const root = document.createElement('main');
    await inventoryView(root, me('viewer', 'operator'), 'projects');
    const form = root.querySelector('form')!;
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    await tick();
    await tick();
    expect(form.querySelector('[data-error-for=slug]')?.textContent).toBe('must be 1-63 lower-case letters');
    expect(form.querySelector('[name=slug]')?.getAttribute('aria-invalid')).toBe('true');
    expect(form.querySelector('[data-error-for=name]')?.textContent).toBe('');
    expect(form.querySelector('.form-error')?.textContent).toBe('owner: is unknown');
  });
});

describe('tables name what rows refer to', () => {
  it('runtime profiles show the project and target names, not their ids', async () => {
    routes['GET /api/runtime-profiles?size=200'] = [200, { items: [{ id: 'rp1', project_id: 'p1', switch_policy: 'attach',
      bindings: [{ target_id: 't1', role: 'primary', working_directory: '/srv/pay' }], codex: null, updated_at: '2026-12-06T10:00:00Z' }] }];
    routes['GET /api/projects?size=500'] = [200, { items: [{ id: 'p1', name: 'Payments', slug: 'payments' }] }];
    routes['GET /api/ssh-targets?size=500'] = [200, { items: [{ id: 't1', name: 'web-1' }] }];
    const root = document.createElement('main');
    await inventoryView(root, me('viewer'), 'runtime-profiles');
    const row = root.querySelector('tbody tr')!;
    expect(row.textContent).toContain('Payments');
    expect(row.textContent).toContain('primary: web-1 in /srv/pay');
    expect(row.textContent).not.toContain('t1');
  });
});

describe('selects loaded from the API', () => {
  it('the runtime-profile form chooses no project for the operator and lists them by name', async () => {
    routes['GET /api/projects?size=200'] = [200, { items: [
      { id: 'p3', name: 'zeta', slug: 'zeta' }, { id: 'p1', name: 'Alpha', slug: 'alpha' }, { id: 'p2', name: 'beta 10', slug: 'b10' },
      { id: 'p4', name: 'beta 9', slug: 'b9' }] }];
    routes['GET /api/runtime-profiles?size=200'] = [200, { items: [] }];
    const root = document.createElement('main');
    await inventoryView(root, me('viewer', 'operator'), 'runtime-profiles');
    await frame();
    const select = root.querySelector('select[name=project_id]') as HTMLSelectElement;
    expect(select.value).toBe('');
    expect(select.selectedOptions[0].textContent).toBe('Choose…');
    expect([...select.options].slice(1).map((o) => o.value)).toEqual(['p1', 'p4', 'p2', 'p3']);
  });
});

describe('the coordinator chat (home)', () => {
  it('says when only slash commands work, echoes at once, and opens the stream after the first message', async () => {
    routes['POST /api/coordinator/messages'] = [201, { conversation_id: 'c1', seq: 1 }];
    const root = document.createElement('main');
    document.body.append(root);
    await chatView(root, me('viewer'));
    expect(sources).toHaveLength(0);
    routes['GET /api/coordinator/conversation'] = [200, { id: 'c1', state: 'idle', model_available: false,
      model_unavailable_reason: 'the coordinator has no Codex auth' }];
    const input = root.querySelector('textarea')!;
    input.value = '/targets';
    root.querySelector('form')!.requestSubmit();
    expect(root.querySelector('.msg.operator.pending')?.textContent).toContain('/targets');
    await frame();
    expect(calls.find((c) => c.method === 'POST')).toEqual({ method: 'POST', path: '/api/coordinator/messages', body: { text: '/targets' } });
    expect(sources.map((x) => x.url)).toEqual(['/api/coordinator/stream?after=0']);
    expect(root.textContent).toContain('Slash commands only: the coordinator has no Codex auth');
    sources[0].emit(1, { seq: 1, kind: 'operator_message', actor: 'alice', body: { text: '/targets' } });
    sources[0].emit(2, { seq: 2, kind: 'coordinator_tool_result', body: { tool: 'list_targets', outcome: 'ok', status: 200,
      text: 'web-1', card: { title: 'Targets', rows: ['web-1 — 10.0.0.5:22, lab, ready'] } } });
    expect(root.querySelector('.msg.operator.pending')).toBeNull();
    expect(root.querySelector('.card.tool')?.textContent).toContain('web-1 — 10.0.0.5:22');
  });

  it('a proposal card confirms with its phrase, shows the time left, and turns decided when the stream says so', async () => {
    routes['GET /api/coordinator/conversation'] = [200, { id: 'c2', state: 'idle', model_available: true }];
    routes['POST /api/coordinator/proposals/p9/confirm'] = [202, { id: 'p9', state: 'confirmed' }];
    const root = document.createElement('main');
    document.body.append(root);
    await chatView(root, me('operator'));
    const expires = new Date(Date.now() + 125_000).toISOString();
    sources[0].emit(1, { seq: 1, kind: 'coordinator_proposal', body: { proposal_id: 'p9', phrase: 'trust web-3',
      summary: 'trust host key ssh-ed25519 SHA256:abc for web-3', expires_at: expires } });
    const card = root.querySelector('.card.proposal')!;
    expect(card.textContent).toContain('SHA256:abc');
    expect(card.querySelector('code')?.textContent).toBe('trust web-3');
    expect(card.querySelector('.expiry')?.textContent).toMatch(/^2 min \d+ s left$/);
    (Array.from(card.querySelectorAll('button')).find((b) => b.textContent === 'Confirm') as HTMLButtonElement).click();
    await frame();
    expect(calls.find((c) => c.path.endsWith('/confirm'))?.body).toEqual({ phrase: 'trust web-3' });
    sources[0].emit(2, { seq: 2, kind: 'coordinator_proposal_decided', body: { proposal_id: 'p9', decision: 'confirmed', decided_by: 'alice' } });
    const decided = root.querySelector('.card.proposal')!;
    expect(decided.classList.contains('confirmed')).toBe(true);
    expect(decided.querySelector('button')).toBeNull();
    expect(decided.textContent).toContain('confirmed by alice');
  });
});

describe('host workflows', () => {
  const workflow = (state: string, extra: Record<string, unknown> = {}) => ({
    id: 'w1', workflow: 'cockpit', title: 'Cockpit web console', target_id: 't1', target_name: 'web-1', environment: 'lab',
    directory: '/opt/cockpit', state, requested_by: 'bob', requested_at: '2026-12-06T10:00:00Z',
    steps: [
      { seq: 1, title: 'prepare the project tree', command: "sudo -n install -d '/opt/cockpit'", state: 'pending' },
      { seq: 2, title: 'install Cockpit', command: 'sudo -n apt install -y cockpit', state: 'pending' },
    ], ...extra,
  });

  it('shows the exact commands, runs an approved one only after the operator ticks that they read them', async () => {
    routes['GET /api/host-workflows/w1'] = [200, workflow('approved', { decided_by: 'carol' })];
    routes['POST /api/host-workflows/w1/execute'] = [202, workflow('executing')];
    const root = document.createElement('main');
    const leave = await workflowsView(root, me('viewer', 'operator'), 'w1');
    expect(root.textContent).toContain('sudo -n apt install -y cockpit');
    const run = [...root.querySelectorAll('button')].find((b) => b.textContent === 'Execute')!;
    run.click();
    await frame();
    expect(calls.filter((c) => c.method === 'POST')).toEqual([]);
    expect(root.querySelector('[role=alert]')?.textContent).toContain('read the commands');
    (root.querySelector('#workflow-confirm') as HTMLInputElement).checked = true;
    run.click();
    await frame();
    expect(calls.filter((c) => c.method === 'POST')).toEqual([
      { method: 'POST', path: '/api/host-workflows/w1/execute', body: { confirm_execute: true } }]);
    leave();
  });

  it('a viewer sees a finished workflow and its URL, with nothing to press; hostile output stays text', async () => {
    routes['GET /api/host-workflows/w1'] = [200, workflow('succeeded', { result_url: 'https://10.0.0.5:9090/',
      steps: [{ seq: 1, title: 'verify', command: 'ss', state: 'ok', exit_code: 0, output: '<img src=x onerror=alert(1)>\u202e' }] })];
    const root = document.createElement('main');
    const leave = await workflowsView(root, me('viewer'), 'w1');
    expect(root.querySelector('.result a')?.getAttribute('href')).toBe('https://10.0.0.5:9090/');
    expect(root.querySelectorAll('button')).toHaveLength(0);
    expect(root.querySelector('img')).toBeNull();
    expect(root.querySelector('pre.output')?.textContent).toContain('<img src=x');
    leave();
  });
});

describe('audit viewer paging', () => {
  const record = (seq: number) => ({ seq, time: '2026-12-06T10:00:00Z', actor: 'olga', action: 'target.renamed',
    resource_type: 'target', resource_name: `web-${seq}`, risk: 'elevated', summary: `record ${seq}` });

  it('"Older records" appends the next page once, then disappears on the last page and asks for nothing more', async () => {
    routes['GET /api/audit/events?limit=50'] = [200, { items: [record(4), record(3)], next_cursor: '3' }];
    routes['GET /api/audit/events?limit=50&cursor=3'] = [200, { items: [record(2), record(1)], next_cursor: null }];
    const root = document.createElement('main');
    await auditView(root, me('viewer'), new URLSearchParams());
    const more = [...root.querySelectorAll('button')].find((b) => b.textContent === 'Older records')!;
    expect(more.hidden).toBe(false);
    more.click();
    more.click(); // a double click asks once
    await frame();
    expect(root.querySelectorAll('tbody tr')).toHaveLength(4);
    expect(more.hidden).toBe(true);
    more.click();
    await frame();
    expect(root.querySelectorAll('tbody tr')).toHaveLength(4);
    expect(calls.filter((c) => c.path.startsWith('/api/audit/events'))).toHaveLength(2);
  });

  it('no display rule can undo [hidden] (the button stayed visible because buttons are inline-block)', () => {
    const css = String(readFileSync('src/style.css', 'utf8'));
    expect(css).toMatch(/\[hidden\]\s*\{\s*display:\s*none\s*!important;?\s*\}/);
  });
});

describe('contrast', () => {
  const luminance = (hex: string): number => {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
      .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a: string, b: string): number => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const vars = (block: string): Record<string, string> =>
    Object.fromEntries([...block.matchAll(/--([a-z]+):\s*(#[0-9a-f]{6})/g)].map((m) => [m[1], m[2]]));

  it('help text, badges and links meet WCAG AA (4.5:1) in light and dark mode', () => {
    const css = String(readFileSync('src/style.css', 'utf8'));
    const light = vars(css.slice(css.indexOf(':root'), css.indexOf('}')));
    const dark = { ...light, ...vars(css.slice(css.indexOf('prefers-color-scheme: dark'))) };
    for (const name of ['muted', 'link', 'ok', 'bad', 'warn']) {
      expect(ratio(light[name], '#ffffff'), `light --${name}`).toBeGreaterThanOrEqual(4.5);
      expect(ratio(dark[name], '#121212'), `dark --${name}`).toBeGreaterThanOrEqual(4.5);
    }
    expect(ratio(light.accent, '#ffffff'), 'white text on the accent button').toBeGreaterThanOrEqual(4.5);
  });
});

describe('the console\'s public key', () => {
  const key = { key_type: 'ssh-ed25519', public_key: 'ssh-ed25519 AAAAC3Nz', public_key_fingerprint: 'SHA256:abc',
    authorized_keys_line: 'ssh-ed25519 AAAAC3Nz devops-console' };

  it('the onboarding page says where the console\'s key goes, with a copy button', async () => {
    routes['GET /api/ssh-keys/control-plane'] = [200, key];
    routes['GET /api/agent-target-onboarding?size=100'] = [200, { items: [] }];
    const root = document.createElement('main');
    const leave = await onboardingView(root, me('viewer'), null);
    expect(root.querySelector('.control-plane-key')?.textContent).toContain('~/.ssh/authorized_keys');
    expect(root.querySelector('.control-plane-key pre')?.textContent).toBe('ssh-ed25519 AAAAC3Nz devops-console');
    leave();
  });

  it('a refused login gives the next step and the key', async () => {
    routes['GET /api/ssh-keys/control-plane'] = [200, key];
    routes['GET /api/agent-target-onboarding/r2'] = [200, { id: 'r2', state: 'failed', target_name: 'web-4', host: '10.0.0.7',
      port: 22, username: 'deploy', environment: 'lab', failure: 'probe failed: Auth fail for methods publickey', steps: [] }];
    const root = document.createElement('main');
    const leave = await onboardingView(root, me('viewer', 'operator'), 'r2');
    const help = root.querySelector('.control-plane-key')!;
    expect(help.textContent).toContain('refused the console\'s login as deploy');
    expect(help.textContent).toContain('authorized_keys of deploy on 10.0.0.7');
    expect(help.querySelector('pre')?.textContent).toBe('ssh-ed25519 AAAAC3Nz devops-console');
    leave();
  });
});

describe('onboarding steps', () => {
  it('a second Advance while a step runs is not sent, and the wait is shown', async () => {
    routes['GET /api/agent-target-onboarding/r1'] = [200, { id: 'r1', state: 'readiness_checked', target_name: 'web-3',
      host: '10.0.0.5', port: 22, username: 'root', environment: 'lab', steps: [] }];
    routes['POST /api/agent-target-onboarding/r1/advance'] = [200, { id: 'r1', state: 'install_plan_pending' }];
    const root = document.createElement('main');
    const leave = await onboardingView(root, me('viewer', 'operator'), 'r1');
    const advance = [...root.querySelectorAll('button')].find((b) => b.textContent === 'Advance')!;
    advance.click();
    expect((root.querySelector('.progress') as HTMLElement).hidden).toBe(false);
    expect(advance.disabled).toBe(true);
    advance.click();
    await frame();
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(1);
    leave();
  });
});

describe('the attention inbox', () => {
  const item = (id: string, risk: string, mayDecide: boolean, command: string): InboxItem => ({
    approval: { id, session_id: `s-${id}`, request_id: `r-${id}`, kind: 'command', summary: command, command, cwd: '/srv',
      risk, state: 'pending', requested_at: new Date(Date.now() - 125_000).toISOString(),
      expires_at: new Date(Date.now() + 300_000).toISOString() },
    project_id: 'p1', project_name: 'Payments', session_state: 'waiting_approval', session_operator: 'bob', may_decide: mayDecide,
  });

  it('lists every waiting approval with its whole command; a destructive one needs the typed word', async () => {
    const long = `rm -rf /srv/build && ${'x'.repeat(300)} --final-flag`;
    routes['GET /api/approvals/pending'] = [200, { items: [item('a1', 'destructive', true, long), item('a2', 'elevated', false, 'npm test')] }];
    routes['POST /api/sessions/s-a1/approvals/a1/decision'] = [200, {}];
    const root = document.createElement('main');
    const leave = await inboxView(root, me('viewer', 'operator'));
    const cards = root.querySelectorAll('section.approval');
    expect(cards).toHaveLength(2);
    expect(cards[0].querySelector('pre.command')?.textContent).toBe(long);
    expect(cards[0].textContent).toContain('waiting 2 min');
    expect(cards[0].querySelector('.expiry')?.textContent).toMatch(/auto-denied in [45]:\d\d/);
    expect(cards[1].querySelector('button')).toBeNull();
    expect(cards[1].textContent).toContain('For bob or an approver to decide.');
    (cards[0].querySelector('button.approve') as HTMLButtonElement).click();
    await frame();
    expect(calls.filter((c) => c.method === 'POST')).toEqual([]);
    (cards[0].querySelector('input') as HTMLInputElement).value = 'approve';
    (cards[0].querySelector('button.approve') as HTMLButtonElement).click();
    await frame();
    expect(calls.filter((c) => c.method === 'POST')).toEqual([
      { method: 'POST', path: '/api/sessions/s-a1/approvals/a1/decision', body: { decision: 'approved' } }]);
    leave();
  });

  it('puts the count in the tab title and notifies (tab hidden) only about approvals that are new', () => {
    const shown: { title: string; body: string }[] = [];
    class FakeNotification {
      static permission = 'granted';
      constructor(title: string, options: { body: string }) { shown.push({ title, body: options.body }); }
    }
    vi.stubGlobal('Notification', FakeNotification);
    const doc = { title: '', hidden: true } as unknown as Document;
    const header = document.createElement('span');
    attention([item('old', 'elevated', true, 'ls')], header, doc);
    expect(doc.title).toBe('(1) DevOps Console');
    expect(header.textContent).toBe('1');
    expect(shown).toEqual([]);            // already waiting when the console opened
    attention([item('old', 'elevated', true, 'ls'), item('new', 'elevated', true, 'make deploy')], header, doc);
    expect(doc.title).toBe('(2) DevOps Console');
    expect(shown).toEqual([{ title: 'An approval is waiting', body: 'Payments: make deploy' }]);
    attention([item('new', 'elevated', true, 'make deploy')], header, doc);
    expect(shown).toHaveLength(1);        // nothing new: no second notification
    attention([], header, doc);
    expect(doc.title).toBe('DevOps Console');
    expect(header.hidden).toBe(true);
  });
});

describe('the side panel', () => {
  it('marks a project whose newest session failed and one that is live; one failing call degrades only its list', async () => {
    routes['GET /api/projects?size=200'] = [200, { items: [{ id: 'p1', name: 'Payments' }, { id: 'p2', name: 'Billing' },
      { id: 'p3', name: 'Docs' }, { id: 'p4', name: 'Search' }, { id: 'p5', name: 'Mail' }, { id: 'p6', name: 'Queue' }] }];
    routes['GET /api/remote-access/targets?size=200'] = [200, { items: [] }];
    routes['GET /api/workers'] = [500, { status: 500, detail: 'boom' }];
    routes['GET /api/approvals/pending'] = [200, { items: [] }];
    routes['GET /api/sessions?limit=200'] = [200, { items: [
      { id: 's9', project_id: 'p1', state: 'failed', state_reason: 'worker lost: connection reset' },
      { id: 's8', project_id: 'p1', state: 'stopped' },
      { id: 's7', project_id: 'p2', state: 'active' },
      { id: 's6', project_id: 'p3', state: 'stopped' },
      { id: 's5', project_id: 'p4', state: 'active', attention: 'worker_lost' },
      { id: 's4', project_id: 'p5', state: 'active', attention: 'command_stuck' },
      { id: 's3', project_id: 'p6', state: 'active', attention: 'runner_lost' }] }];
    const side = document.createElement('aside');
    const leave = await sidePanel(side, me('viewer'), () => undefined);
    const item = (name: string) => [...side.querySelectorAll('.projects li')].find((li) => li.textContent?.startsWith(name))!;
    expect(item('Payments').querySelector('.badge-failed')?.textContent).toBe('failed');
    expect(item('Payments').querySelector('span[title]')?.getAttribute('title')).toBe('worker lost: connection reset');
    expect(item('Billing').querySelector('.badge')?.textContent).toBe('active');
    expect(item('Docs').querySelector('.badge')).toBeNull();
    expect(item('Search').querySelector('.badge-failed')?.textContent).toBe('worker lost');
    expect(item('Mail').querySelector('.badge-warn')?.textContent).toBe('command stuck');
    expect(item('Queue').querySelector('.badge-failed')?.textContent).toBe('runner lost');
    const problem = side.querySelector('p.error') as HTMLElement;
    expect(problem.hidden).toBe(false);
    expect(problem.textContent).toBe('Not current — workers: 500: boom');
    leave();
  });
});

describe('bulk onboarding', () => {
  it('reads a list line by line and names what is wrong with a line', () => {
    expect(parseHosts('web-1 10.20.1.11 deploy 22 staging\n# a comment\n\nweb-2, 10.20.1.12\nDB-1 db-1.lab.example root 2222 lab')).toEqual({
      errors: [], hosts: [
        { line: 1, name: 'web-1', host: '10.20.1.11', user: 'deploy', port: 22, environment: 'staging' },
        { line: 4, name: 'web-2', host: '10.20.1.12', environment: 'lab' },
        { line: 5, name: 'db-1', host: 'db-1.lab.example', user: 'root', port: 2222, environment: 'lab' }] });
    expect(parseHosts('web-1\nweb-2 10.0.0.1 99999\nweb-3 10.0.0.1 prod\nweb_4 10.0.0.1\nweb-5 10.0.0.1\nweb-5 10.0.0.2\nweb-6 a;b').errors).toEqual([
      'line 1: give a name and an address', 'line 2: port 99999 is not between 1 and 65535',
      'line 4: "web_4" is not an inventory name (lower-case letters, digits and -)', 'line 6: web-5 is listed twice']);
  });

  it('starts one run per server and follows them in one table: trust per host after comparing, advance all', async () => {
    const runs: Record<string, Record<string, unknown>> = {};
    const ids = ['00000000-0000-0000-0000-00000000000a', '00000000-0000-0000-0000-00000000000b', '00000000-0000-0000-0000-00000000000c'];
    ['web-1', 'web-2', 'web-3'].forEach((name, i) => {
      runs[ids[i]] = { id: ids[i], target_name: name, host: `10.0.0.${i + 1}`, port: 22, username: 'root', environment: 'lab',
        state: 'host_key_pending', presented_host_key: { fingerprint_sha256: `SHA256:fp${i}`, key_type: 'ssh-ed25519' } };
    });
    let posted = 0;
    vi.stubGlobal('fetch', vi.fn(async (path: string, init: RequestInit) => {
      const method = init?.method ?? 'GET';
      calls.push({ method, path, body: init?.body ? JSON.parse(String(init.body)) : undefined });
      const m = /^\/api\/agent-target-onboarding\/([^/]+)(\/.*)?$/.exec(path);
      let body: unknown = { status: 404, detail: 'no' };
      let status = 404;
      if (method === 'POST' && path === '/api/agent-target-onboarding') {
        body = runs[ids[posted++]]; status = 201;
      } else if (m && !m[2]) {
        body = runs[m[1]]; status = 200;
      } else if (m && m[2] === '/host-key/trust') {
        runs[m[1]] = { ...runs[m[1]], state: 'probing' }; body = runs[m[1]]; status = 200;
      } else if (m && m[2] === '/advance') {
        runs[m[1]] = { ...runs[m[1]], state: runs[m[1]].state === 'probing' ? 'readiness_checked' : 'ready' }; body = runs[m[1]]; status = 200;
      }
      return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
    }));
    const box = bulkForm();
    document.body.append(box);
    const list = box.querySelector('#bulk-hosts') as HTMLTextAreaElement;
    list.value = 'web-1 10.0.0.1\nweb-2 10.0.0.2\nweb-3 10.0.0.3';
    list.dispatchEvent(new Event('input'));
    const start = [...box.querySelectorAll('button')].find((b) => b.textContent?.startsWith('Start onboarding'))!;
    expect(start.textContent).toBe('Start onboarding of 3 servers');
    start.click();
    await frame();
    expect(calls.filter((c) => c.method === 'POST').map((c) => (c.body as Record<string, unknown>).name)).toEqual(['web-1', 'web-2', 'web-3']);
    expect(location.hash).toBe(`#/onboarding/batch/${ids.join(',')}`);

    calls = [];
    const root = document.createElement('main');
    document.body.append(root);
    const opening = batchView(root, me('viewer', 'operator'), ids);
    // until the runs are read, Advance all and Trust act on nothing: they wait (a quick click is not lost)
    const advance = () => [...root.querySelectorAll('button')].find((b) => b.textContent === 'Advance all')!;
    expect(advance().disabled).toBe(true);
    const leave = await opening;
    expect(advance().disabled).toBe(false);
    expect([...root.querySelectorAll('tr[data-run] code.fp')].map((c) => c.textContent)).toEqual(
      ['SHA256:fp0 (ssh-ed25519)', 'SHA256:fp1 (ssh-ed25519)', 'SHA256:fp2 (ssh-ed25519)']);
    expect(root.querySelector('[role="status"]')?.textContent).toContain('3 waiting for a host key decision');
    const boxes = [...root.querySelectorAll<HTMLInputElement>('input.trust')];
    boxes[0].checked = true;
    boxes[2].checked = true;
    const trust = [...root.querySelectorAll('button')].find((b) => b.textContent === 'Trust the ticked host keys')!;
    trust.click();
    await frame();
    expect(calls.filter((c) => c.path.endsWith('/host-key/trust'))).toEqual([]);   // not compared yet
    (root.querySelector('#bulk-compared') as HTMLInputElement).checked = true;
    trust.click();
    await frame();
    expect(calls.filter((c) => c.path.endsWith('/host-key/trust')).map((c) => [c.path, c.body])).toEqual([
      [`/api/agent-target-onboarding/${ids[0]}/host-key/trust`, { confirm_trust: true, fingerprint_sha256: 'SHA256:fp0' }],
      [`/api/agent-target-onboarding/${ids[2]}/host-key/trust`, { confirm_trust: true, fingerprint_sha256: 'SHA256:fp2' }]]);
    [...root.querySelectorAll('button')].find((b) => b.textContent === 'Advance all')!.click();
    await frame();
    await frame();
    expect(runs[ids[0]].state).toBe('ready');
    expect(runs[ids[1]].state).toBe('host_key_pending');   // its key was not trusted: it waits
    expect((root.querySelector('progress') as HTMLProgressElement).value).toBe(2);
    expect(root.querySelector('[role="status"]')?.textContent).toContain('2 ready, 0 failed, 1 in progress');
    leave();
  });
});

describe('first-run guidance', () => {
  it('shows the way to a first session with what is done ticked, the key to copy, and can be hidden', async () => {
    localStorage.removeItem('devops.first-run-dismissed');
    routes['GET /api/ssh-targets?size=200'] = [200, { items: [{ id: 't1', name: 'web-1', trusted_host_key: { fingerprint_sha256: 'x' },
      codex_status: 'missing', retired: false }] }];
    routes['GET /api/projects?size=200'] = [200, { items: [{ id: 'p1', name: 'Payments' }] }];
    routes['GET /api/runtime-profiles?size=200'] = [200, { items: [] }];
    routes['GET /api/sessions?limit=1'] = [200, { items: [] }];
    routes['GET /api/ssh-keys/control-plane'] = [200, { authorized_keys_line: 'ssh-ed25519 AAAA devops-console' }];
    const guide = (await firstRun(me('viewer', 'operator')))!;
    const steps = [...guide.querySelectorAll('li')].map((li) => [li.classList.contains('done'), li.querySelector('strong')?.textContent]);
    expect(steps).toEqual([[true, '✓ Put the console\'s key on a server'], [false, 'Onboard the server'], [true, '✓ Create a project'],
      [false, 'Say where the project runs'], [false, 'Start a session']]);
    expect(guide.querySelector('code.key-line')?.textContent).toBe('ssh-ed25519 AAAA devops-console');
    expect(guide.querySelector('li:last-child a')?.getAttribute('href')).toBe('#/projects/p1');
    document.body.append(guide);
    [...guide.querySelectorAll('button')].find((b) => b.textContent === 'Hide this')!.click();
    expect(guide.isConnected).toBe(false);
    expect(await firstRun(me('viewer', 'operator'))).toBeNull();
    localStorage.removeItem('devops.first-run-dismissed');
    routes['GET /api/sessions?limit=1'] = [200, { items: [{ id: 's1' }] }];
    expect(await firstRun(me('viewer', 'operator'))).toBeNull();   // a session has run: nothing to guide
  });
});


describe('a session\'s console log', () => {
  it('is read when opened, newest page first, older pages on demand, a level to start from, shown inert', async () => {
    routes['GET /api/sessions/s1/console-logs?level=INFO&limit=200'] = [200, { older: 41, items: [
      { id: 42, at: '2026-12-06T10:00:00Z', service: 'agent-runner', instance: 'runner-a:7', level: 'WARN', logger: 'x.Health',
        message: 'session s1: the worker on web-3 went silent \u001b[31mred\u001b[0m \u202eevil', thrown: null, trace_id: null },
      { id: 43, at: '2026-12-06T10:00:01Z', service: 'session-service', instance: 'ss-1:9', level: 'ERROR', logger: 'x.Store',
        message: 'stream record 7 cannot be stored', thrown: 'java.lang.IllegalStateException: nope\n\tat x.y(Z.java:1)', trace_id: 'abc' }] }];
    routes['GET /api/sessions/s1/console-logs?level=INFO&limit=200&before=41'] = [200, { older: null, items: [
      { id: 40, at: '2026-12-06T09:59:00Z', service: 'agent-runner', instance: 'runner-a:7', level: 'INFO', logger: 'x.Starter',
        message: 'session s1: worker w1 ready on web-3', thrown: null, trace_id: null }] }];
    routes['GET /api/sessions/s1/console-logs?level=ERROR&limit=200'] = [200, { older: null, items: [] }];
    const fold = consoleLog('s1') as HTMLDetailsElement;
    document.body.append(fold);
    expect(calls.length).toBe(0);
    fold.open = true;
    fold.dispatchEvent(new Event('toggle'));
    await frame();
    const messages = () => [...fold.querySelectorAll('.log-message')].map((m) => m.textContent);
    expect(messages()).toEqual(['session s1: the worker on web-3 went silent red \u27e6RLO\u27e7evil', 'stream record 7 cannot be stored']);
    expect(fold.querySelector('.thrown pre')?.textContent).toContain('IllegalStateException: nope');
    expect(fold.textContent).toContain('2 records, oldest first');
    const older = [...fold.querySelectorAll('button')].find((b) => b.textContent === 'Older records')!;
    expect(older.hidden).toBe(false);
    older.click();
    await frame();
    expect(messages()[0]).toBe('session s1: worker w1 ready on web-3');
    expect(older.hidden).toBe(true);
    const level = fold.querySelector('select')!;
    level.value = 'ERROR';
    level.dispatchEvent(new Event('change'));
    await frame();
    expect(messages()).toEqual([]);
    expect(fold.textContent).toContain('Nothing logged about this session at this level.');
    fold.remove();
  });
});
