/**
 * The audit trail: filters (actor, action, resource, risk, session, text, time range), newest first,
 * a page at a time (older pages by cursor), the chain's verification, and for admins export links
 * (CSV, NDJSON) with the same filters.
 */
import { api, can, describe, type Me } from '../api';
import { badge, h, text, when, type Row } from '../dom';

const s = text;
const FILTERS: [string, string, string][] = [['actor', 'Actor', 'admin'], ['action', 'Action', 'session.started'],
  ['resource_type', 'Resource type', 'project'], ['risk', 'Risk', 'destructive'], ['session_id', 'Session', ''],
  ['q', 'Text', 'words in the summary'], ['from', 'From', '2026-01-01T00:00:00Z'], ['to', 'To', '']];

export async function auditView(root: HTMLElement, me: Me, query: URLSearchParams): Promise<() => void> {
  const filters = h('form', { class: 'filters', role: 'search', 'aria-label': 'Audit filters' });
  const inputs: Record<string, HTMLInputElement> = {};
  for (const [name, label, placeholder] of FILTERS) {
    const input = h('input', { id: `audit-${name}`, name, placeholder, value: query.get(name) ?? '' });
    inputs[name] = input;
    filters.append(h('div', { class: 'field' }, h('label', { for: `audit-${name}` }, label), input));
  }
  filters.append(h('button', { type: 'submit' }, 'Filter'));
  filters.addEventListener('submit', (e) => {
    e.preventDefault();
    const q = new URLSearchParams();
    for (const [name] of FILTERS) {
      if (inputs[name].value.trim()) q.set(name, inputs[name].value.trim());
    }
    location.hash = `#/audit?${q}`;
  });
  const params = new URLSearchParams();
  for (const [name] of FILTERS) {
    if (query.get(name)) params.set(name, query.get(name)!);
  }
  const verify = h('span', { class: 'verify' });
  const tools = h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary', onclick: async () => {
    verify.textContent = 'verifying…';
    try {
      const v = await api<Row>('/api/audit/verify');
      const broken = Number(v.broken_link_count ?? 0);
      const links = Array.isArray(v.broken_links) ? (v.broken_links as Row[]) : [];
      verify.replaceChildren(badge(v.intact ? 'chain intact' : 'chain broken', v.intact ? 'ok' : 'failed'),
        ` ${s(v.verified_records)} records verified`,
        broken ? `; ${broken} broken link${broken === 1 ? '' : 's'} at seq ${links.slice(0, 10).map((l) => s(l.seq)).join(', ')}${broken > 10 ? ', …' : ''}` : '');
    } catch (e) {
      verify.textContent = describe(e);
    }
  } }, 'Verify chain'), verify);
  if (can(me, 'admin')) {
    tools.append(h('a', { class: 'button secondary', href: `/api/audit/export?format=csv&${params}`, download: 'audit.csv' }, 'Export CSV'),
      h('a', { class: 'button secondary', href: `/api/audit/export?format=ndjson&${params}`, download: 'audit.ndjson' }, 'Export NDJSON'));
  }
  const body = h('tbody');
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Older records');
  const error = h('p', { class: 'form-error', role: 'alert' });
  root.replaceChildren(h('h1', {}, 'Audit'), filters, tools, error, h('div', { class: 'table-wrap' }, h('table', { class: 'audit' },
    h('thead', {}, h('tr', {}, ...['Time', 'Actor', 'Action', 'Resource', 'Risk', 'Summary'].map((c) => h('th', { scope: 'col' }, c)))),
    body)), more);
  let cursor: string | null = null;
  let loading = false;
  const load = async (older: boolean) => {
    // "Older records" only ever asks for the page after the last one shown, once at a time
    if (loading || (older && !cursor)) {
      return;
    }
    loading = true;
    more.disabled = true;
    const q = new URLSearchParams(params);
    q.set('limit', '50');
    if (older && cursor) q.set('cursor', cursor);
    try {
      const page = await api<{ items: Row[]; next_cursor: string | null }>(`/api/audit/events?${q}`);
      for (const r of page.items) {
        body.append(h('tr', {},
          h('td', { 'data-label': 'Time' }, when(r.time)),
          h('td', { 'data-label': 'Actor' }, s(r.actor), r.origin === 'api'
            ? h('span', { class: 'muted', title: 'posted through the API by an outside producer; its own claims are kept as reported' }, ` via ${s(r.source)}`)
            : ''),
          h('td', { 'data-label': 'Action' }, h('code', {}, s(r.action))),
          h('td', { 'data-label': 'Resource' }, `${s(r.resource_type)} ${s(r.resource_name ?? r.resource_id)}`),
          h('td', { 'data-label': 'Risk' }, badge(s(r.risk))), h('td', { 'data-label': 'Summary' }, s(r.summary))));
      }
      if (!body.childElementCount) {
        body.append(h('tr', {}, h('td', { colspan: 6 }, 'No records match.')));
      }
      cursor = page.next_cursor;
      more.hidden = !cursor;
    } catch (e) {
      error.textContent = describe(e);
    } finally {
      loading = false;
      more.disabled = false;
    }
  };
  more.addEventListener('click', () => void load(true));
  await load(false);
  return () => undefined;
}
