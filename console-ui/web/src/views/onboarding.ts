/**
 * Onboarding: start from a sentence or fields, follow each run step by step (refreshed every two
 * seconds while open), and act where the run waits — trust the presented host key, approve and
 * execute the install plan, advance, cancel. Nothing here trusts or installs by itself.
 */
import { api, can, describe, type Me } from '../api';
import { append, badge, copyButton, h, text, when, type Row } from '../dom';
import { clean, form } from '../forms';
import { batchView, bulkForm } from './bulk';

const s = text;
const FINAL = ['ready', 'failed', 'cancelled'];

export async function onboardingView(root: HTMLElement, me: Me, runId: string | null, more: string | null = null): Promise<() => void> {
  if (runId === 'batch' && more) {
    return batchView(root, me, more.split(',').filter((x) => /^[0-9a-f-]{36}$/i.test(x)).slice(0, 200));
  }
  return runId ? runView(root, me, runId) : listView(root, me);
}

/**
 * The console's public key and what to do with it: the one thing a server needs before onboarding can
 * log in (shown on the onboarding page, and as the next step when a login was refused).
 */
export async function controlPlaneKey(why: string): Promise<HTMLElement | null> {
  const key = await api<Row>('/api/ssh-keys/control-plane').catch(() => null);
  if (!key) {
    return null;
  }
  const line = s(key.authorized_keys_line);
  const copy = copyButton(line);
  return h('section', { class: 'control-plane-key' }, h('p', {}, why),
    h('pre', { class: 'key-line' }, line), h('div', { class: 'actions' }, copy,
      h('span', { class: 'muted' }, ` fingerprint ${s(key.public_key_fingerprint)}`)));
}

/** A login the server refused (wrong or missing key): the next step, with the key. */
export function authFailed(failure: unknown): boolean {
  return /auth fail|authentication|permission denied|publickey|refused the console's SSH key/i.test(String(failure ?? ''));
}

async function listView(root: HTMLElement, me: Me): Promise<() => void> {
  root.replaceChildren(h('h1', {}, 'Onboarding'));
  const key = await controlPlaneKey('Before onboarding a server, add this line to ~/.ssh/authorized_keys of the login user there:');
  if (key) {
    root.append(key);
  }
  if (can(me, 'operator')) {
    root.append(h('p', { class: 'muted' }, 'Describe the server, or fill in the fields (a field wins over the sentence).'),
      form({
        fields: [
          { name: 'request', label: 'Request', type: 'textarea', placeholder: 'onboard 10.20.1.15 as web-3, user deploy, staging' },
          { name: 'name', label: 'Inventory name' }, { name: 'host', label: 'Host' },
          { name: 'user', label: 'Login user' }, { name: 'port', label: 'SSH port', type: 'number' },
          { name: 'environment', label: 'Environment', type: 'select', options: ['lab', 'staging', 'production'] },
          { name: 'confirm_production', label: 'Production: I confirm onboarding a production host', type: 'checkbox' },
        ],
        submit: 'Start onboarding',
        send: (v) => {
          const b = clean(v, ['port']);
          b.confirm_production = v.confirm_production === 'true' ? true : undefined;
          return api<Row>('/api/agent-target-onboarding', { method: 'POST', body: b });
        },
        done: (run) => { location.hash = `#/onboarding/${(run as Row).id}`; },
      }), bulkForm());
  }
  const list = h('div', { class: 'table-wrap' });
  root.append(h('h2', {}, 'Runs'), list);
  const refresh = async () => {
    const page = await api<{ items: Row[] }>('/api/agent-target-onboarding?size=100');
    list.replaceChildren(page.items.length === 0 ? h('p', { class: 'muted' }, 'No onboarding runs yet.') : h('table', {},
      h('thead', {}, h('tr', {}, ...['Target', 'Host', 'State', 'Waiting for', 'Updated'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, ...page.items.map((r) => h('tr', {},
        h('td', { 'data-label': 'Target' }, h('a', { href: `#/onboarding/${r.id}` }, s(r.target_name))),
        h('td', { 'data-label': 'Host' }, `${s(r.username)}@${s(r.host)}:${s(r.port)}`),
        h('td', { 'data-label': 'State' }, badge(s(r.state))), h('td', { 'data-label': 'Waiting for' }, s(r.waiting_for)),
        h('td', { 'data-label': 'Updated' }, when(r.updated_at)))))));
  };
  await refresh();
  const timer = setInterval(() => void refresh().catch(() => undefined), 5000);
  return () => clearInterval(timer);
}

async function runView(root: HTMLElement, me: Me, id: string): Promise<() => void> {
  const body = h('div');
  const error = h('p', { class: 'form-error', role: 'alert' });
  root.replaceChildren(h('p', {}, h('a', { href: '#/onboarding' }, '← all runs')), body, error);
  let busy = false;
  // one step at a time: while a step runs (probing a host can take several seconds) every action is
  // disabled and the time it has taken so far is shown
  const progress = h('p', { class: 'muted progress', role: 'status', hidden: true });
  root.insertBefore(progress, error);
  const act = async (path: string, payload?: unknown): Promise<boolean> => {
    if (busy) {
      return false;
    }
    busy = true;
    error.textContent = '';
    body.querySelectorAll<HTMLButtonElement>('button').forEach((b) => { b.disabled = true; });
    const started = Date.now();
    progress.hidden = false;
    progress.textContent = 'working…';
    const ticker = window.setInterval(() => {
      progress.textContent = `working… ${Math.round((Date.now() - started) / 1000)} s`;
    }, 1000);
    try {
      await api(path, { method: 'POST', body: payload ?? {} });
      return true;
    } catch (e) {
      error.textContent = describe(e);
      return false;
    } finally {
      window.clearInterval(ticker);
      progress.hidden = true;
      busy = false;
      drawn = '';
      await refresh();
    }
  };
  let drawn = '';
  const refresh = async () => {
    const run = await api<Row>(`/api/agent-target-onboarding/${encodeURIComponent(id)}`);
    const plan = run.install_plan_id ? await api<Row>(`/api/install-plans/${run.install_plan_id}`).catch(() => null) : null;
    const state = s(run.state);
    const slots = state === 'installed_but_auth_required' ? await api<Row[]>('/api/codex-auth/slots?size=200').catch(() => [] as Row[]) : [];
    const sig = JSON.stringify([run, plan, slots]);
    if (sig === drawn) {
      return state;      // nothing changed: keep what the operator is typing or ticking
    }
    drawn = sig;
    const presented = run.presented_host_key as Row | null;
    const keyHelp = authFailed(run.failure) ? await controlPlaneKey(`The server refused the console's login as ${s(run.username)}. `
      + `Add this line to ~/.ssh/authorized_keys of ${s(run.username)} on ${s(run.host)}, then start a new run:`) : null;
    const actions = h('div', { class: 'actions' });
    if (!FINAL.includes(state) && can(me, 'operator')) {
      if (state === 'host_key_pending' && presented && can(me, 'operator')) {
        const confirmBox = h('input', { type: 'checkbox', id: 'trust-confirm' });
        actions.append(h('div', { class: 'trust' },
          h('p', {}, 'The host presents ', h('code', {}, s(presented.fingerprint_sha256)), ` (${s(presented.key_type)}). Compare it with the host's console before trusting it.`),
          h('label', { for: 'trust-confirm' }, confirmBox, ' I compared the fingerprint'),
          h('button', { type: 'button', onclick: () => confirmBox.checked
            ? act(`/api/agent-target-onboarding/${id}/host-key/trust`, { confirm_trust: true, fingerprint_sha256: presented.fingerprint_sha256 })
            : void (error.textContent = 'Tick the box once you compared the fingerprint.') }, 'Trust this host key')));
      }
      actions.append(h('button', { type: 'button', onclick: () => act(`/api/agent-target-onboarding/${id}/advance`) }, 'Advance'),
        h('button', { type: 'button', class: 'secondary', onclick: () => act(`/api/agent-target-onboarding/${id}/cancel`) }, 'Cancel run'));
    }
    const planBox = plan ? h('section', { class: 'plan' }, h('h2', {}, 'Install plan ', badge(s(plan.state))),
      plan.advisory ? h('p', { class: 'muted' }, s(plan.advisory)) : null,
      h('ol', {}, ...((plan.steps as string[]) ?? []).map((st) => h('li', {}, h('code', {}, st)))),
      ...(((plan.step_results as Row[]) ?? []).map((r) => h('details', {}, h('summary', {}, `${s(r.seq)}. ${s(r.command)}: exit ${s(r.exit_code)}`),
        h('pre', { class: 'output' }, s(r.output))))),
      planActions(plan, me, act)) : null;
    body.replaceChildren();
    append(body,
      h('h1', {}, s(run.target_name), ' ', badge(state)),
      h('p', {}, `${s(run.username)}@${s(run.host)}:${s(run.port)} · ${s(run.environment)} · `,
        run.waiting_for ? h('strong', {}, `waiting for: ${s(run.waiting_for)}`) : '',
        run.failure ? h('span', { class: 'error', role: 'alert' }, ` failed: ${s(run.failure)}`) : ''),
      actions, planBox,
      state === 'installed_but_auth_required' && can(me, 'operator') ? authPanel(run, slots, me, act) : null,
      authFailed(run.failure) ? keyHelp : null,
      h('h2', {}, 'Steps'),
      h('ol', { class: 'steps' }, ...((run.steps as Row[]) ?? []).map((st) => h('li', { class: `step outcome-${s(st.outcome)}` },
        h('strong', {}, s(st.step)), ' ', badge(s(st.outcome)), ` ${s(st.from_state)} → ${s(st.to_state)}`,
        st.duration_ms !== null && st.duration_ms !== undefined ? h('span', { class: 'muted' }, ` ${s(st.duration_ms)} ms`) : null,
        st.detail ? h('div', { class: 'muted' }, s(st.detail)) : null))));
    return state;
  };
  await refresh();
  const timer = setInterval(() => { if (!busy) void refresh().catch(() => undefined); }, 2000);
  return () => clearInterval(timer);
}

/** Codex auth for a target that waits for it: pick a slot (or, as admin, import one), lease it here and provision it. */
function authPanel(run: Row, slots: Row[], me: Me, act: (path: string, body?: unknown) => Promise<boolean>): HTMLElement {
  const free = slots.filter((x) => !x.leased_target_id || x.leased_target_id === run.target_id);
  const box = h('section', { class: 'plan', 'aria-label': 'Codex auth' }, h('h2', {}, 'Codex auth'),
    h('p', { class: 'muted' }, 'The target has Codex but no auth. Provisioning writes the slot\'s auth.json to the login user\'s ~/.codex (mode 600).'));
  if (free.length) {
    box.append(h('ul', {}, ...free.map((slot) => h('li', {}, h('strong', {}, s(slot.name)), ` (${s(slot.size_bytes)} bytes, ${s(slot.source)}) `,
      h('button', { type: 'button', onclick: async () => {
        if (slot.leased_target_id !== run.target_id
            && !await act(`/api/codex-auth/slots/${slot.id}/lease`, { target_id: run.target_id })) {
          return;
        }
        await act(`/api/codex-auth/slots/${slot.id}/provision`, { confirm_provision: true,
          confirm_production: run.environment === 'production' || undefined });
      } }, `Provision ${s(slot.name)} to ${s(run.target_name)}`)))));
  } else {
    box.append(h('p', {}, 'No free auth slot.'));
  }
  if (can(me, 'admin')) {
    box.append(h('h3', {}, 'Import an auth slot'), form({
      fields: [{ name: 'name', label: 'Slot name', required: true, placeholder: 'team-a' },
        { name: 'path', label: 'auth.json path on the console host', required: true, help: 'a file in the console\'s auth import directory' }],
      submit: 'Import',
      send: (v) => api('/api/codex-auth/slots', { method: 'POST', body: clean(v) }),
      done: () => undefined,    // the next refresh lists the new slot
    }));
  }
  return box;
}

function planActions(plan: Row, me: Me, act: (path: string, body?: unknown) => Promise<boolean>): HTMLElement | null {
  const production = plan.environment === 'production';
  const st = s(plan.state);
  const box = h('div', { class: 'actions' });
  if (st === 'proposed' && can(me, 'approver')) {
    box.append(h('button', { type: 'button', onclick: () => act(`/api/install-plans/${plan.id}/approve`, { confirm_production: production || undefined }) }, 'Approve plan'),
      h('button', { type: 'button', class: 'secondary', onclick: () => act(`/api/install-plans/${plan.id}/reject`, {}) }, 'Reject plan'));
  }
  if (st === 'approved' && can(me, 'operator')) {
    const phrase = production ? s(plan.target_name) : null;
    const typed = phrase ? h('input', { type: 'text', 'aria-label': `Type ${phrase} to execute`, placeholder: `type “${phrase}”` }) : null;
    box.append(typed ?? '', h('button', { type: 'button', onclick: () => {
      if (phrase && typed!.value.trim() !== phrase) {
        typed!.focus();
        return Promise.resolve(false);
      }
      return act(`/api/install-plans/${plan.id}/execute`, { confirm_execute: true, confirm_production: production || undefined });
    } }, 'Execute plan'));
  }
  return box.childElementCount ? box : null;
}
