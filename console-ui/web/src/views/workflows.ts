/**
 * Host workflows: fixed, allow-listed command sequences the console runs on a target after a
 * person approves them — the first is Cockpit setup on a ready lab target. Proposing shows the
 * exact commands; only an approved workflow executes, and only after the operator ticks that they
 * read them; each step's exit status and kept output appear as it runs, and the result URL at the end.
 * The same workflows are offered in the coordinator chat (/cockpit TARGET).
 */
import { api, can, describe, type Me } from '../api';
import { append, badge, h, text, when, type Row } from '../dom';
import { form } from '../forms';

const s = text;
const FINAL = ['succeeded', 'failed', 'rejected'];

/** Lab targets whose Codex is ready: where Cockpit setup may run. */
async function readyLabTargets(): Promise<[string, string][]> {
  const page = await api<{ items: Row[] }>('/api/ssh-targets?size=200&environment=lab&codex_status=ready');
  return page.items.map((t) => [s(t.id), `${s(t.name)} (${s(t.host)})`]);
}

export async function workflowsView(root: HTMLElement, me: Me, id: string | null): Promise<() => void> {
  return id ? workflowView(root, me, id) : listView(root, me);
}

async function listView(root: HTMLElement, me: Me): Promise<() => void> {
  const table = h('div', { class: 'table-wrap' });
  root.replaceChildren(h('h1', {}, 'Host workflows'),
    h('p', { class: 'muted' }, 'Fixed command sequences run on a target only after approval. Cockpit setup: prepare the project tree, '
      + 'refresh the package lists, install Cockpit, enable cockpit.socket, verify port 9090.'), table);
  const refresh = async () => {
    try {
      const page = await api<{ items: Row[] }>('/api/host-workflows?size=50');
      table.replaceChildren(page.items.length === 0 ? h('p', { class: 'muted' }, 'No host workflows yet.')
        : h('table', {}, h('thead', {}, h('tr', {}, ...['Workflow', 'Target', 'Directory', 'State', 'Requested', 'Result']
          .map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, ...page.items.map((w) => h('tr', { 'data-id': s(w.id) },
            h('td', { 'data-label': 'Workflow' }, h('a', { href: `#/workflows/${s(w.id)}` }, s(w.title))),
            h('td', { 'data-label': 'Target' }, s(w.target_name)),
            h('td', { 'data-label': 'Directory' }, h('code', {}, s(w.directory))),
            h('td', { 'data-label': 'State' }, badge(s(w.state))),
            h('td', { 'data-label': 'Requested' }, `${when(w.requested_at)} by ${s(w.requested_by)}`),
            h('td', { 'data-label': 'Result' }, w.result_url ? h('a', { href: s(w.result_url), target: '_blank', rel: 'noopener noreferrer' }, s(w.result_url)) : s(w.summary)))))));
    } catch (e) {
      table.replaceChildren(h('p', { class: 'error', role: 'alert' }, describe(e)));
    }
  };
  if (can(me, 'operator')) {
    root.append(h('h2', {}, 'Set up Cockpit'), form({
      fields: [
        { name: 'target_id', label: 'Lab target (Codex ready)', type: 'select', required: true, source: readyLabTargets },
        { name: 'directory', label: 'Project tree to prepare', placeholder: '/opt/cockpit', help: 'an absolute path; empty uses /opt/cockpit' },
      ],
      submit: 'Propose',
      send: (v) => api<Row>('/api/host-workflows', { method: 'POST',
        body: { workflow: 'cockpit', target_id: v.target_id, directory: v.directory ? v.directory : undefined } }),
      done: (w) => { location.hash = `#/workflows/${s((w as Row).id)}`; },
    }));
  }
  await refresh();
  const timer = setInterval(() => void refresh(), 5000);
  return () => clearInterval(timer);
}

async function workflowView(root: HTMLElement, me: Me, id: string): Promise<() => void> {
  const body = h('div');
  const error = h('p', { class: 'form-error', role: 'alert' });
  root.replaceChildren(h('p', {}, h('a', { href: '#/workflows' }, '← all host workflows')), body, error);
  let busy = false;
  let drawn = '';
  let last = '';
  const act = async (path: string, payload: unknown, button: HTMLButtonElement): Promise<void> => {
    if (busy) {
      return;
    }
    busy = true;
    button.disabled = true;
    error.textContent = '';
    try {
      await api(path, { method: 'POST', body: payload });
    } catch (e) {
      error.textContent = describe(e);
    } finally {
      busy = false;
      await refresh();
    }
  };
  const refresh = async (): Promise<string> => {
    const w = await api<Row>(`/api/host-workflows/${encodeURIComponent(id)}`);
    const sig = JSON.stringify(w);
    last = s(w.state);
    if (sig === drawn) {
      return last;
    }
    drawn = sig;
    const state = last;
    const actions = h('div', { class: 'actions' });
    if (can(me, 'operator') && (state === 'proposed' || state === 'approved')) {
      if (state === 'proposed') {
        const approve = h('button', { type: 'button' }, 'Approve');
        approve.onclick = () => void act(`/api/host-workflows/${id}/approve`, {}, approve);
        actions.append(approve);
      } else {
        const read = h('input', { type: 'checkbox', id: 'workflow-confirm' });
        const run = h('button', { type: 'button' }, 'Execute');
        run.onclick = () => (read.checked ? void act(`/api/host-workflows/${id}/execute`, { confirm_execute: true }, run)
          : void (error.textContent = 'Tick the box once you read the commands.'));
        actions.append(h('label', { for: 'workflow-confirm' }, read, ` I read the ${((w.steps as Row[]) ?? []).length} commands and want them run on ${s(w.target_name)}`), run);
      }
      const reject = h('button', { type: 'button', class: 'secondary' }, 'Reject');
      reject.onclick = () => void act(`/api/host-workflows/${id}/reject`, {}, reject);
      actions.append(reject);
    }
    body.replaceChildren();
    append(body,
      h('h1', {}, `${s(w.title)} on ${s(w.target_name)} `, badge(state)),
      h('p', {}, `${s(w.environment)} · project tree `, h('code', {}, s(w.directory)), ` · requested by ${s(w.requested_by)} ${when(w.requested_at)}`,
        w.decided_by ? ` · ${state === 'rejected' ? 'rejected' : 'approved'} by ${s(w.decided_by)}` : '',
        w.executed_by ? ` · run by ${s(w.executed_by)}` : ''),
      w.result_url ? h('p', { class: 'result' }, 'Cockpit answers at ', h('a', { href: s(w.result_url), target: '_blank', rel: 'noopener noreferrer' }, s(w.result_url))) : null,
      w.summary && !w.result_url ? h('p', { class: state === 'failed' ? 'error' : 'muted' }, s(w.summary)) : null,
      actions,
      h('h2', {}, 'Steps'),
      h('ol', { class: 'steps' }, ...((w.steps as Row[]) ?? []).map((st) => h('li', { class: `step outcome-${s(st.state)}` },
        h('strong', {}, s(st.title)), ' ', badge(s(st.state)),
        st.exit_code !== null && st.exit_code !== undefined ? h('span', { class: 'muted' }, ` exit ${s(st.exit_code)}`) : null,
        h('div', {}, h('code', {}, s(st.command))),
        st.output ? h('details', {}, h('summary', {}, 'output'), h('pre', { class: 'output' }, s(st.output))) : null))));
    return state;
  };
  await refresh();
  // followed while it can still change; a finished workflow is not polled
  const timer = setInterval(() => {
    if (!busy && !FINAL.includes(last)) {
      void refresh().catch(() => undefined);
    }
  }, 1500);
  return () => clearInterval(timer);
}
