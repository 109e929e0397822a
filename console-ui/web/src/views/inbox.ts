/**
 * The attention inbox: every approval waiting for a person across all sessions, oldest first, with its
 * project, the whole command, its risk, how long it has waited and how long until it is denied
 * automatically. Those the operator may decide can be approved or denied here (a destructive one only
 * with the typed word, as in the session). The count is also in the header and the tab title, and a
 * browser notification says when a new one arrives while the tab is hidden (once the operator allowed it).
 */
import { api, can, describe, type Me } from '../api';
import { badge, h, text, type Row } from '../dom';

const s = text;

export interface InboxItem {
  approval: Row;
  project_id: string;
  project_name: string | null;
  session_state: string;
  session_operator: string | null;
  may_decide: boolean;
}

const seen = new Set<string>();
let primed = false;

/**
 * Shows the number of waiting approvals in the tab title and the header, and notifies (tab hidden,
 * permission given) about each one not seen before — never about those already waiting when the
 * console opened.
 */
export function attention(items: InboxItem[], header: HTMLElement | null, doc: Document = document): void {
  const n = items.length;
  doc.title = n ? `(${n}) DevOps Console` : 'DevOps Console';
  if (header) {
    header.textContent = n ? String(n) : '';
    header.hidden = n === 0;
  }
  const fresh = items.filter((i) => !seen.has(String(i.approval.id)));
  items.forEach((i) => seen.add(String(i.approval.id)));
  if (!primed) {
    primed = true;
    return;
  }
  if (fresh.length && doc.hidden && typeof Notification !== 'undefined' && Notification.permission === 'granted') {
    const first = fresh[0];
    new Notification(fresh.length === 1 ? 'An approval is waiting' : `${fresh.length} approvals are waiting`, {
      body: `${s(first.project_name ?? first.project_id)}: ${s(first.approval.summary ?? first.approval.command)}`.slice(0, 200),
      tag: `approval-${s(first.approval.id)}`,
    });
  }
}

const since = (iso: unknown): string => {
  const ms = Date.now() - Date.parse(String(iso));
  if (!Number.isFinite(ms)) return '–';
  const m = Math.floor(ms / 60000);
  return m < 1 ? 'just now' : m < 60 ? `${m} min` : `${Math.floor(m / 60)} h ${m % 60} min`;
};
const left = (iso: unknown): string => {
  const ms = Date.parse(String(iso)) - Date.now();
  if (!Number.isFinite(ms)) return '';
  if (ms <= 0) return 'expiring';
  const sec = Math.floor(ms / 1000);
  return `auto-denied in ${Math.floor(sec / 60)}:${String(sec % 60).padStart(2, '0')}`;
};

export async function inboxView(root: HTMLElement, me: Me): Promise<() => void> {
  const list = h('div', { class: 'inbox' });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const notify = typeof Notification !== 'undefined' && Notification.permission === 'default'
    ? h('button', { type: 'button', class: 'secondary', onclick: () => void Notification.requestPermission().then(() => notify?.remove()) },
      'Tell me when one arrives while I am away')
    : null;
  root.replaceChildren(h('h1', {}, 'Waiting for a decision'), error, list);
  if (notify) {
    root.insertBefore(notify, error);
  }
  let drawn = '';
  const refresh = async () => {
    let items: InboxItem[];
    try {
      items = (await api<{ items: InboxItem[] }>('/api/approvals/pending')).items;
    } catch (e) {
      error.textContent = describe(e);
      return;
    }
    error.textContent = '';
    const sig = JSON.stringify(items.map((i) => [i.approval.id, i.approval.state]));
    if (sig !== drawn) {
      drawn = sig;
      list.replaceChildren(...(items.length ? items.map((i) => card(i, me, () => void refresh(), error))
        : [h('p', { class: 'muted' }, 'Nothing is waiting for a decision.')]));
    }
    list.querySelectorAll<HTMLElement>('[data-requested]').forEach((el) => { el.textContent = `waiting ${since(el.dataset.requested)}`; });
    list.querySelectorAll<HTMLElement>('[data-expires]').forEach((el) => { el.textContent = left(el.dataset.expires); });
  };
  await refresh();
  const timer = window.setInterval(() => void refresh(), 5000);
  return () => window.clearInterval(timer);
}

function card(i: InboxItem, me: Me, done: () => void, error: HTMLElement): HTMLElement {
  const a = i.approval;
  const risk = s(a.risk);
  const el = h('section', { class: `approval risk-${risk}`, 'aria-label': 'Approval request', 'data-approval': s(a.id) },
    h('div', {}, h('a', { href: `#/projects/${s(i.project_id)}` }, s(i.project_name ?? i.project_id)), ' ', badge(risk),
      ' ', h('span', { class: 'muted', 'data-requested': s(a.requested_at) }), ' · ',
      h('span', { class: 'expiry', 'data-expires': s(a.expires_at) })),
    h('pre', { class: 'command' }, s(a.command ?? a.summary)),
    a.cwd ? h('div', { class: 'muted' }, `in ${s(a.cwd)}`) : null,
    a.reason ? h('p', {}, s(a.reason)) : null);
  if (i.may_decide && can(me, 'operator')) {
    const destructive = risk === 'destructive';
    const word = h('input', { 'aria-label': 'Type approve to approve this destructive command', placeholder: 'type approve' });
    const decide = async (decision: 'approved' | 'denied', button: HTMLButtonElement) => {
      if (decision === 'approved' && destructive && word.value.trim() !== 'approve') {
        error.textContent = 'A destructive command is approved only with the word "approve" typed.';
        return;
      }
      el.querySelectorAll('button').forEach((b) => { (b as HTMLButtonElement).disabled = true; });
      try {
        await api(`/api/sessions/${encodeURIComponent(s(a.session_id))}/approvals/${encodeURIComponent(s(a.id))}/decision`,
          { method: 'POST', body: { decision } });
      } catch (e) {
        error.textContent = describe(e);
        button.disabled = false;
      }
      done();
    };
    const approve = h('button', { type: 'button', class: 'approve' }, 'Approve');
    const deny = h('button', { type: 'button', class: 'secondary deny' }, 'Deny');
    approve.onclick = () => void decide('approved', approve);
    deny.onclick = () => void decide('denied', deny);
    el.append(h('div', { class: 'actions' }, destructive ? word : null, approve, deny));
  } else {
    el.append(h('p', { class: 'muted' }, `For ${s(i.session_operator)} or an approver to decide.`));
  }
  return el;
}
