/**
 * A project's session history: every session, live or ended, newest first, with its final state and
 * the reason, what it was about (its first message), where its worker ran, who started it and its
 * tokens — searchable (messages, commands, their output, the reason) and filterable by state. Each
 * opens its transcript (`#/projects/P/sessions/S`), which stays readable after the session ended.
 */
import { api, describe } from '../api';
import { badge, h, when } from '../dom';

export interface SessionSummary {
  id: string; project_id: string; state: string; state_reason: string | null; started_by: string;
  created_at: string; ended_at: string | null; first_message: string | null; target_name: string | null;
  working_directory: string | null; total_tokens: number; attention?: string | null;
}

const STATES = ['requested', 'starting', 'active', 'waiting_approval', 'idle', 'stopping', 'stopped', 'failed'];

/** The history list with its search; `query` presets the search (from the URL). */
export function historyList(projectId: string, query: URLSearchParams = new URLSearchParams()): HTMLElement {
  const q = h('input', { id: 'history-q', type: 'search', name: 'q', maxlength: 200, value: query.get('q') ?? '',
    placeholder: 'words in messages, commands, output or the reason' });
  const state = h('select', { id: 'history-state', name: 'state', 'aria-label': 'State' },
    h('option', { value: '' }, 'any state'), ...STATES.map((s) => h('option', { value: s }, s.replace('_', ' '))));
  state.value = query.get('state') ?? '';
  const search = h('form', { class: 'filters history-search', role: 'search', 'aria-label': 'Search the session history' },
    h('div', { class: 'field' }, h('label', { for: 'history-q' }, 'Search'), q),
    h('div', { class: 'field' }, h('label', { for: 'history-state' }, 'State'), state),
    h('button', { type: 'submit' }, 'Search'));
  const list = h('ol', { class: 'history', 'aria-label': 'Sessions, newest first' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Older sessions');
  const error = h('p', { class: 'form-error', role: 'alert' });
  let before: string | null = null;
  let loading = false;
  // a new search supersedes one still in flight (its answer is dropped): a search is never ignored
  let generation = 0;
  const load = async (older: boolean) => {
    if (older && (loading || !before)) {
      return;
    }
    const mine = ++generation;
    loading = true;
    more.disabled = true;
    const params = new URLSearchParams({ project_id: projectId, limit: '20' });
    if (q.value.trim()) params.set('q', q.value.trim());
    if (state.value) params.set('state', state.value);
    if (older && before) params.set('before', before);
    try {
      const page = await api<{ items: SessionSummary[]; next_before: string | null }>(`/api/sessions?${params}`);
      if (mine !== generation) {
        return;
      }
      if (!older) {
        list.replaceChildren();
      }
      list.append(...page.items.map((s) => entry(s)));
      if (!older && page.items.length === 0) {
        list.append(h('li', { class: 'muted' }, q.value.trim() || state.value ? 'No session matches.' : 'No sessions yet.'));
      }
      before = page.next_before;
      more.hidden = !before;
      error.textContent = '';
    } catch (e) {
      if (mine === generation) {
        error.textContent = `The history could not be loaded: ${describe(e)}`;
      }
    } finally {
      if (mine === generation) {
        loading = false;
        more.disabled = false;
      }
    }
  };
  search.addEventListener('submit', (e) => {
    e.preventDefault();
    before = null;
    void load(false);
  });
  more.addEventListener('click', () => void load(true));
  void load(false);
  return h('section', { class: 'history-section', 'aria-label': 'Session history' }, h('h2', {}, 'History'), search, error,
    list, more);
}

function entry(s: SessionSummary): HTMLElement {
  const ended = s.state === 'stopped' || s.state === 'failed';
  return h('li', { class: `history-entry state-${s.state}`, 'data-session': s.id },
    h('a', { href: `#/projects/${encodeURIComponent(s.project_id)}/sessions/${encodeURIComponent(s.id)}` },
      h('span', { class: 'about' }, s.first_message ?? '(no message sent)')),
    ' ', badge(s.state.replace('_', ' '), s.state),
    s.attention ? badge(s.attention.replace('_', ' '), s.attention === 'command_stuck' ? 'warn' : 'failed') : null,
    h('div', { class: 'muted' },
      `${when(s.created_at)} by ${s.started_by}`,
      s.target_name ? ` · on ${s.target_name}${s.working_directory ? ` in ${s.working_directory}` : ''}` : '',
      s.total_tokens ? ` · ${s.total_tokens.toLocaleString()} tokens` : '',
      ended && s.ended_at ? ` · ended ${when(s.ended_at)}` : ''),
    s.state_reason && ended ? h('div', { class: s.state === 'failed' ? 'reason error' : 'reason' }, s.state_reason) : null);
}
