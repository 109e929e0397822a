/**
 * The project's session, chat-first: the transcript streams in (replayed from the start on every
 * open, so a reload or a second tab shows everything and then continues live), the operator's
 * message is echoed at once, a thinking indicator runs until the first output, commands fold
 * open with their output, diffs show, approval cards decide, errors stay in the stream.
 * Each agent delta's arrival-to-paint time is recorded as a `delta-to-paint` performance measure, and the
 * time from the runner's record to the paint as `record-to-paint`.
 */
import { ApiError, api, can, describe, type Me } from '../api';
import { append, badge, copyButton, h, when } from '../dom';
import { renderMarkdown } from '../render';
import { StreamCursor, openStream } from '../stream';
import { Transcript, type Block, type Entry } from '../transcript';
import { historyList } from './history';
import { appServerLog, consoleLog } from './operations';

interface Project { id: string; name: string; slug: string; default_working_directory: string }
interface Session { id: string; project_id: string; state: string; started_by: string; turn_operator: string | null;
  approval_policy: string; last_seq: number; state_reason?: string | null; created_at?: string; ended_at?: string | null }
interface Approval { id: string; request_id: string; risk: string; state: string; summary: string }

/**
 * `#/projects/P`: the project's live session (or, with none, a start button and the history);
 * `#/projects/P/sessions/S`: that session, live or ended; `#/projects/P/history`: the history.
 */
export async function sessionView(root: HTMLElement, me: Me, projectId: string, sub: string[] = [],
                                  query: URLSearchParams = new URLSearchParams()): Promise<() => void> {
  const project = await api<Project>(`/api/projects/${encodeURIComponent(projectId)}`);
  let session: Session | null = null;
  if (sub[0] === 'sessions' && sub[1]) {
    session = await api<Session>(`/api/sessions/${encodeURIComponent(sub[1])}`);
  } else if (sub[0] !== 'history') {
    try {
      session = await api<Session>(`/api/sessions/active?project_id=${encodeURIComponent(projectId)}`);
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 404)) {
        throw e;
      }
    }
  }
  root.replaceChildren();
  const title = h('h1', {}, project.name);
  const head = h('div', { class: 'session-head' }, title);
  root.append(head);
  if (sub[0] === 'history') {
    head.append(h('a', { href: `#/projects/${encodeURIComponent(projectId)}` }, 'Live session'));
    root.append(historyList(projectId, query));
    return () => undefined;
  }
  if (!session) {
    const box = h('div', { class: 'empty' }, h('p', {}, 'No live session for this project.'));
    if (can(me, 'operator')) {
      const policy = h('select', { id: 'approval-policy', 'aria-label': 'Approval policy' },
        h('option', { value: 'manual' }, 'every request asks me'),
        h('option', { value: 'auto_approve_benign' }, 'approve read-only requests for me'));
      const error = h('p', { class: 'form-error', role: 'alert' });
      const start = h('button', { type: 'button', onclick: async () => {
        start.disabled = true;
        try {
          await api('/api/sessions', { method: 'POST', body: { project_id: projectId, approval_policy: policy.value } });
          location.hash = `#/projects/${projectId}?started`;
        } catch (e) {
          error.textContent = describe(e);
          start.disabled = false;
        }
      } }, 'Start session');
      box.append(h('label', { for: 'approval-policy' }, 'Approvals: '), policy, ' ', start, error);
    }
    root.append(box, historyList(projectId, query));
    return () => undefined;
  }
  head.append(h('a', { href: `#/projects/${encodeURIComponent(projectId)}/history` }, 'History'));
  if (!root.closest('.pane')) {
    head.append(besidePicker(projectId));
  }
  return attach(root, head, me, session, project);
}

/**
 * Several projects' sessions side by side (`#/split/P1/P2[/P3]`, desktop; stacked on a narrow screen):
 * each pane is the project's session view; keys act on the pane the operator last used; a pane can be
 * closed or opened on its own.
 */
export async function splitView(root: HTMLElement, me: Me, projectIds: string[]): Promise<() => void> {
  const ids = [...new Set(projectIds.filter(Boolean))];
  root.replaceChildren();
  const grid = h('div', { class: `split split-${ids.length}` });
  root.append(grid);
  const leaves: (() => void)[] = [];
  await Promise.all(ids.map(async (id) => {
    const pane = h('section', { class: 'pane', 'data-project': id, 'aria-label': 'Session pane' });
    const others = ids.filter((x) => x !== id);
    const bar = h('div', { class: 'pane-bar' },
      h('a', { href: `#/projects/${encodeURIComponent(id)}`, title: 'Open on its own' }, '⤢ alone'),
      h('a', { href: others.length > 1 ? `#/split/${others.join('/')}` : `#/projects/${encodeURIComponent(others[0] ?? id)}`,
        title: 'Close this pane', 'aria-label': 'Close this pane' }, '✕'));
    const body = h('div', { class: 'pane-body' });
    pane.append(bar, body);
    grid.append(pane);
    try {
      leaves.push(await sessionView(body, me, id));
    } catch (e) {
      body.replaceChildren(h('p', { class: 'error', role: 'alert' }, describe(e)));
    }
  }));
  return () => leaves.forEach((l) => l());
}

/** "Beside…": another project's session next to this one. */
function besidePicker(projectId: string): HTMLElement {
  const select = h('select', { class: 'beside', 'aria-label': 'Open another project\'s session beside this one' },
    h('option', { value: '' }, 'Open beside…'));
  void api<{ items: { id: string; name: string }[] }>('/api/projects?size=200').then((page) => {
    for (const p of [...page.items].filter((x) => x.id !== projectId).sort((a, b) => a.name.localeCompare(b.name))) {
      select.append(h('option', { value: p.id }, p.name));
    }
  }).catch(() => select.remove());
  select.addEventListener('change', () => {
    if (select.value) {
      location.hash = `#/split/${encodeURIComponent(projectId)}/${encodeURIComponent(select.value)}`;
    }
  });
  return select;
}

/** What the session header says about where and how the agent runs. */
interface Facts { target: string | null; host: string | null; directory: string | null; model: string | null;
  sandbox: string | null; codexApprovals: string | null }

/** The project's runtime profile as it is now: its primary target (name, host) and Codex options. */
async function profileFacts(projectId: string): Promise<Facts | null> {
  try {
    const page = await api<{ items: { bindings: { target_id: string; role: string; working_directory: string }[];
      codex: { model?: string | null; sandbox_mode?: string | null; approval_policy?: string | null } | null }[] }>(
      `/api/runtime-profiles?project_id=${encodeURIComponent(projectId)}`);
    const profile = page.items[0];
    if (!profile) {
      return null;
    }
    const primary = profile.bindings.find((b) => b.role === 'primary') ?? profile.bindings[0];
    const target = primary ? await api<{ name: string; host: string }>(`/api/ssh-targets/${encodeURIComponent(primary.target_id)}`)
      .catch(() => null) : null;
    return { target: target?.name ?? null, host: target?.host ?? null, directory: primary?.working_directory ?? null,
      model: profile.codex?.model ?? null, sandbox: profile.codex?.sandbox_mode ?? null,
      codexApprovals: profile.codex?.approval_policy ?? null };
  } catch {
    return null; // the header says less; the session itself is unaffected
  }
}

function attach(root: HTMLElement, head: HTMLElement, me: Me, session: Session, project: Project): () => void {
  const model = new Transcript();
  const approvals = new Map<string, Approval>();
  const stateBadge = h('span', { class: 'session-state' });
  const tokens = h('span', { class: 'tokens', title: 'tokens used' });
  const operator = can(me, 'operator');
  const mayDecide = (): boolean => can(me, 'approver') || me.name === session.started_by || me.name === session.turn_operator;
  const interrupt = h('button', { type: 'button', class: 'secondary', 'aria-keyshortcuts': 'Escape', onclick: () => {
    void api(`/api/sessions/${session.id}/interrupt`, { method: 'POST' }).catch((e) => problem(describe(e)));
  } }, 'Interrupt');
  const stop = h('button', { type: 'button', class: 'secondary', onclick: async () => {
    if (confirm('Stop this session? Its worker stops too.')) {
      await api(`/api/sessions/${session.id}/stop`, { method: 'POST', body: { reason: 'stopped from the console' } })
        .catch((e) => problem(describe(e)));
    }
  } }, 'Stop session');
  append(head, stateBadge, tokens, operator && interrupt, operator && stop);
  // where and how the agent runs: the worker's own report (target, directory) over the profile's
  let profile: Facts | null = null;
  const facts = h('dl', { class: 'session-facts' });
  // admins: the newest worker's app-server log, as its host has it (fetched when opened)
  const workerLog = appServerLog(async () => {
    const page = await api<{ items: { target_id: string; server_key: string | null }[] }>(
      `/api/workers?session_id=${encodeURIComponent(session.id)}&limit=1`);
    const w = page.items.find((x) => x.server_key);
    return w ? { targetId: w.target_id, serverKey: w.server_key! } : null;
  });
  // admins: what the console's own services logged while acting for this session
  const serviceLog = consoleLog(session.id);
  let factsKey = '';
  const drawFacts = () => {
    const w = model.worker;
    const target = w?.targetName ?? profile?.target ?? null;
    const host = profile && profile.target === target ? profile.host : null;
    const state = model.state ?? session.state;
    const rows: [string, Node | string | null][] = [
      ['Server', target ? `${target}${host ? ` (${host})` : ''}` : 'not started yet'],
      ['Directory', w?.workingDirectory ?? profile?.directory ?? project.default_working_directory ?? null],
      ['Model', profile?.model ?? 'the server\'s Codex default'],
      ['Sandbox', profile?.sandbox ?? 'the server\'s Codex default'],
      ['Approvals', `${session.approval_policy === 'auto_approve_benign' ? 'read-only requests approved automatically'
        : 'every request asks'}${profile?.codexApprovals ? ` (Codex: ${profile.codexApprovals})` : ''}`],
      ['Started', `${when(session.created_at)} by ${session.started_by}`],
      ['Ended', session.ended_at || ['stopped', 'failed'].includes(state)
        ? `${session.ended_at ? when(session.ended_at) : ''}${session.state_reason ? ` — ${session.state_reason}` : ''}` : null],
      ['Session', h('span', {}, h('code', {}, session.id), ' ', copyButton(session.id, 'Copy id'))],
      ['Audit', h('a', { href: `#/audit?session_id=${encodeURIComponent(session.id)}` }, 'what happened in this session')],
      ['Worker log', can(me, 'admin') ? workerLog : null],
      ['Console log', can(me, 'admin') ? serviceLog : null],
    ];
    const key = JSON.stringify([target, host, w, state, profile]);
    if (key === factsKey) {
      return;
    }
    factsKey = key;
    facts.replaceChildren(...rows.filter(([, v]) => v !== null && v !== '')
      .flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
  };
  root.append(h('details', { class: 'session-about' }, h('summary', {}, 'About this session'), facts));
  void profileFacts(session.project_id).then((f) => { profile = f; drawFacts(); });

  const log = h('div', { class: 'transcript', role: 'log', 'aria-live': 'polite', 'aria-label': 'Session transcript' });
  const thinking = h('div', { class: 'thinking', role: 'status', hidden: true }, h('span', { class: 'dots' }), ' thinking…');
  const notice = h('div', { class: 'stream-notice', role: 'status' });
  // a session opened but not yet talked to: say when its agent starts (nothing is wrong)
  const waiting = h('p', { class: 'muted first-message', hidden: session.state !== 'requested' },
    'The session is open. Its agent starts on a server when the first message is sent — nothing runs until then.');
  // jump to the newest record when the operator has scrolled away from it
  const latest = h('button', { type: 'button', class: 'jump-latest', hidden: true, onclick: () => {
    log.scrollTop = log.scrollHeight;
    (log.lastElementChild as HTMLElement | null)?.scrollIntoView?.({ block: 'end' });
    latest.hidden = true;
  } }, '↓ Latest');
  const awayFromLatest = (): boolean => {
    const last = log.lastElementChild as HTMLElement | null;
    if (!last) {
      return false;
    }
    const bottom = last.getBoundingClientRect().bottom;
    return bottom > Math.min(window.innerHeight, log.getBoundingClientRect().bottom || window.innerHeight) + 80;
  };
  const placeLatest = () => { latest.hidden = !awayFromLatest(); };
  log.addEventListener('scroll', placeLatest, { passive: true });
  window.addEventListener('scroll', placeLatest, { passive: true });
  // find in the session: each Enter goes to the next record that has the words
  const find = h('input', { type: 'search', class: 'find', placeholder: 'Find in this session', 'aria-label': 'Find in this session' });
  const found = h('span', { class: 'muted found-count', role: 'status' });
  let hit = -1;
  find.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') {
      return;
    }
    e.preventDefault();
    const words = find.value.trim().toLowerCase();
    log.querySelectorAll('.found').forEach((x) => x.classList.remove('found'));
    if (!words) {
      found.textContent = '';
      return;
    }
    const hits = [...log.children].filter((x) => (x.textContent ?? '').toLowerCase().includes(words)) as HTMLElement[];
    if (!hits.length) {
      found.textContent = 'not found';
      return;
    }
    hit = (hit + (e.shiftKey ? -1 : 1) + hits.length) % hits.length;
    const el = hits[hit];
    el.classList.add('found');
    el.querySelectorAll('details').forEach((d) => { d.open = true; });
    el.classList.remove('folded');
    el.scrollIntoView?.({ block: 'center' });
    found.textContent = `${hit + 1} of ${hits.length}`;
  });
  find.addEventListener('input', () => { hit = -1; });
  head.append(h('span', { class: 'find-box' }, find, ' ', found));
  root.append(waiting, log, thinking, notice, latest);

  const pending: { text: string; el: HTMLElement }[] = [];
  if (operator) {
    const input = h('textarea', { id: 'message', rows: 2, placeholder: 'Message the agent (Enter sends, Shift+Enter for a new line)',
      'aria-label': 'Message to the agent' });
    const send = h('button', { type: 'submit' }, 'Send');
    // files for the agent: stored, then put into the working directory on the host (.devops-console/attachments)
    const files = h('input', { type: 'file', multiple: true, hidden: true, 'aria-label': 'Files to attach' });
    const attach = h('button', { type: 'button', class: 'secondary attach', title: 'Attach files (up to 192 KiB each; '
      + 'they go into the working directory\'s .devops-console/attachments on the server)', onclick: () => files.click() }, 'Attach');
    files.addEventListener('change', () => {
      for (const f of Array.from(files.files ?? [])) {
        // the name becomes a file name on the server: what it may not hold becomes '_' (the server checks again)
        const name = f.name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/\.{2,}/g, '.').replace(/^[._-]+/, '').slice(0, 100) || 'file';
        void api(`/api/sessions/${session.id}/attachments?name=${encodeURIComponent(name)}`,
          { method: 'POST', raw: { data: f, type: f.type || 'text/plain' } })
          .catch((err) => problem(`${f.name} was not attached: ${describe(err)}`));
      }
      files.value = '';
    });
    const composer = h('form', { class: 'composer' }, input, attach, files, send);
    composer.addEventListener('submit', (e) => {
      e.preventDefault();
      const text = input.value.trim();
      if (!text) {
        return;
      }
      input.value = '';
      const echo = h('div', { class: 'msg operator pending' }, h('div', { class: 'who' }, me.name), renderMarkdown(text));
      log.append(echo);
      pending.push({ text, el: echo });
      thinking.hidden = false;
      echo.scrollIntoView({ block: 'end' });
      api(`/api/sessions/${session.id}/messages`, { method: 'POST', body: { text } }).catch((err) => {
        echo.classList.add('failed');
        echo.append(h('div', { class: 'error', role: 'alert' },
          `not sent: ${describe(err)}`));
        thinking.hidden = true;
      });
    });
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey) {
        e.preventDefault();
        composer.requestSubmit();
      }
    });
    root.append(composer);
  }
  // Escape interrupts only when pressed twice within 3 s (never on a single key press, typing or not):
  // the first press says what a second one would do
  const escapeHint = h('span', { class: 'escape-hint', role: 'status', hidden: true }, 'Press Escape again to interrupt the running turn');
  head.append(escapeHint);
  let armedAt = 0;
  let disarm = 0;
  const keys = (e: KeyboardEvent) => {
    if (e.key !== 'Escape' || e.isComposing || !operator || !interrupt.isConnected || interrupt.disabled) {
      return;
    }
    // several sessions side by side: the keys are for the one the operator last used
    const pane = root.closest('.pane');
    if (pane && !pane.classList.contains('current')) {
      return;
    }
    if (Date.now() - armedAt < 3000) {
      armedAt = 0;
      escapeHint.hidden = true;
      interrupt.click();
      return;
    }
    armedAt = Date.now();
    escapeHint.hidden = false;
    window.clearTimeout(disarm);
    disarm = window.setTimeout(() => { escapeHint.hidden = true; armedAt = 0; }, 3000);
  };
  document.addEventListener('keydown', keys);
  const paneOf = root.closest('.pane');
  const useThis = () => {
    document.querySelectorAll('.pane.current').forEach((p) => p.classList.remove('current'));
    paneOf?.classList.add('current');
  };
  paneOf?.addEventListener('pointerdown', useThis);
  paneOf?.addEventListener('focusin', useThis);

  const views = new Map<Block, { el: HTMLElement; sig: string }>();
  let arrived: { t: number; at: number }[] = [];
  let frame = 0;
  // while the replay of a just-opened session arrives (its first 2 s) and until the operator scrolls or
  // touches, each frame places the view again
  const openedAt = Date.now();
  let moved = false;
  const stopPlacing = () => { moved = true; };
  for (const kind of ['wheel', 'touchstart', 'pointerdown', 'keydown']) {
    window.addEventListener(kind, stopPlacing, { once: true, passive: true });
  }
  const draw = () => {
    frame = 0;
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    for (const block of model.blocks) {
      if (block.type === 'operator') {
        const i = pending.findIndex((p) => p.text === block.text);
        if (i >= 0) {                      // the echo becomes the stored message
          pending[i].el.remove();
          pending.splice(i, 1);
        }
      }
      const sig = signature(block, approvals, sessionEnded(session));
      const known = views.get(block);
      if (known && known.sig === sig) {
        continue;
      }
      const el = renderBlock(block, approvals, session, mayDecide(), problem, () => schedule());
      if (known) {
        const open = known.el.querySelector('details')?.open;
        known.el.replaceWith(el);
        if (open !== undefined) {
          const d = el.querySelector('details');
          if (d) d.open = open;
        }
      } else {
        log.insertBefore(el, pending[0]?.el ?? null);
      }
      views.set(block, { el, sig });
    }
    thinking.hidden = !(model.thinking || pending.length > 0);
    stateBadge.replaceChildren(badge(model.state ?? session.state));
    waiting.hidden = !((model.state ?? session.state) === 'requested' && model.blocks.length === 0 && pending.length === 0);
    drawFacts();
    tokens.textContent = model.tokens.thread !== null ? `${model.tokens.thread.toLocaleString()} tokens` : '';
    interrupt.disabled = !(model.thinking || model.state === 'active' || model.state === 'waiting_approval');
    if (atBottom) {
      log.scrollTop = log.scrollHeight;
    }
    placeLatest();
    // opening a session (on a phone the page scrolls, not the log): show the decision waiting for the
    // operator, or else the newest record — never the oldest of a long transcript
    if (!moved && Date.now() - openedAt < 2000 && model.blocks.length > 0) {
      const waitingCard = [...log.querySelectorAll<HTMLElement>('section.approval:not(.decided)')].pop();
      const target = waitingCard ?? (log.lastElementChild as HTMLElement | null);
      target?.scrollIntoView?.({ block: waitingCard ? 'center' : 'end' });
    }
    if (arrived.length) {
      const batch = arrived;
      arrived = [];
      setTimeout(() => {                 // after the frame that drew them
        const painted = performance.now();
        for (const { t, at } of batch) {
          performance.measure('delta-to-paint', { start: t, end: painted });
          // from the runner reading the worker's line (the record's time) to the screen: the whole relay
          const start = at - performance.timeOrigin;
          if (start > 0 && start <= painted) {
            performance.measure('record-to-paint', { start, end: painted });
          }
        }
      }, 0);
    }
  };
  const schedule = () => {
    if (!frame) {
      frame = requestAnimationFrame(draw);
    }
  };
  const problem = (message: string) => {
    notice.textContent = message;
    setTimeout(() => { if (notice.textContent === message) notice.textContent = ''; }, 8000);
  };

  const close = openStream(session.id, {
    record(_seq, data) {
      const entry = data as Entry;
      if (entry.kind === 'agent_message_delta') {
        arrived.push({ t: performance.now(), at: Date.parse(String(entry.at ?? '')) });
      }
      model.apply(entry);
      if (entry.kind === 'approval_requested' || entry.kind === 'approval_decided') {
        void loadApprovals();
      }
      schedule();
      notice.textContent = '';
    },
    ended() {
      // the transcript stays; a new session for the project is one click away (operators only)
      const composer = root.querySelector('form.composer');
      composer?.remove();
      interrupt.remove();
      stop.remove();
      const reason = h('span', { class: 'reason' });
      root.append(h('div', { class: 'ended', role: 'status' }, 'The session has ended', reason, '. ',
        operator ? h('a', { href: `#/projects/${session.project_id}?after=${session.id}`, class: 'button' }, 'Open a new session') : null,
        ' ', h('a', { href: `#/projects/${session.project_id}/history` }, 'History')));
      // how it ended and why, as the session now says (the header's facts too)
      void api<Session>(`/api/sessions/${session.id}`).then((now) => {
        reason.textContent = ` (${now.state}${now.state_reason ? `: ${now.state_reason}` : ''})`;
        Object.assign(session, { state: now.state, state_reason: now.state_reason, ended_at: now.ended_at });
        factsKey = '';
        drawFacts();
        schedule();                        // approval cards still waiting say they no longer are
      }).catch(() => undefined);
      schedule();
    },
    problem,
  }, new StreamCursor(session.id));

  async function loadApprovals(): Promise<void> {
    try {
      const page = await api<{ items: Approval[] }>(`/api/sessions/${session.id}/approvals`);
      for (const a of page.items) {
        approvals.set(a.request_id, a);
      }
      schedule();
    } catch (e) {
      problem(`approvals could not be loaded: ${describe(e)}`);
    }
  }
  void loadApprovals();
  return () => {
    close();
    document.removeEventListener('keydown', keys);
    window.removeEventListener('scroll', placeLatest);
    for (const kind of ['wheel', 'touchstart', 'pointerdown', 'keydown']) {
      window.removeEventListener(kind, stopPlacing);
    }
  };
}

function signature(b: Block, approvals: Map<string, Approval>, ended: boolean): string {
  switch (b.type) {
    case 'agent': return `${b.text.length}:${b.done}`;
    case 'command': return `${b.command}:${b.output.length}:${b.outputChars}:${b.whole?.text.length}:${b.running}:`
      + `${b.awaitingApproval}:${b.exitCode}:${b.outcome}`;
    case 'file_change': return b.changes.map((c) => `${c.path}:${c.kind}:${c.diff.length}`).join('|');
    case 'approval': return `${b.decision}:${b.decidedBy}:${approvals.get(b.requestId)?.state}:${ended}`;
    case 'attachment': return `${b.state}:${b.path}:${b.message}`;
    default: return 'static';
  }
}

function renderBlock(b: Block, approvals: Map<string, Approval>, session: Session, mayDecide: boolean,
                     problem: (m: string) => void, redraw: () => void): HTMLElement {
  switch (b.type) {
    case 'operator':
      return h('div', { class: 'msg operator', 'data-seq': b.seq }, h('div', { class: 'who' }, b.author), renderMarkdown(b.text));
    case 'agent': {
      const el = h('div', { class: `msg agent${b.done ? '' : ' streaming'}`, 'data-item': b.key },
        h('div', { class: 'who' }, 'agent'), renderMarkdown(b.text));
      return b.done ? collapsible(el, b.text) : el;
    }
    case 'command': {
      // how the command ended is the runner's decision (declined, interrupted, incomplete: no exit code to show)
      const status = b.running && b.awaitingApproval ? badge('waiting for approval', 'warn')
        : b.running ? badge('running')
        : b.outcome === 'declined' ? badge('declined', 'failed')
        : b.outcome === 'interrupted' || b.outcome === 'incomplete' ? badge(b.outcome, 'warn')
        : badge(b.exitCode === null ? (b.outcome ?? 'ended') : `exit ${b.exitCode}`, b.outcome === 'succeeded'
          || b.exitCode === 0 ? 'ok' : 'failed');
      const details = h('details', { class: 'command', open: b.running },
        h('summary', {}, h('code', {}, b.command || '(command)'), ' ', status,
          b.durationMs !== null ? h('span', { class: 'muted', title: b.durationMeasured
            ? 'measured by the runner from the command\'s start to its end (approval wait included)' : 'reported by codex' },
            ` ${(b.durationMs / 1000).toFixed(1)} s${b.durationMeasured ? ' (measured)' : ''}`) : null),
        b.cwd ? h('div', { class: 'muted' }, `in ${b.cwd}`) : null,
        ...commandOutput(b, session, problem, redraw));
      return h('div', { class: 'block' }, details);
    }
    case 'file_change':
      return h('div', { class: 'block' }, ...b.changes.map((c) => h('details', { class: 'diff', open: true },
        h('summary', {}, `${c.kind || 'change'} `, h('code', {}, c.path)),
        h('pre', {}, ...c.diff.split('\n').map((line) => h('span', {
          class: line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : '' }, `${line}\n`))))));
    case 'approval':
      return approvalCard(b, approvals.get(b.requestId), session, mayDecide, problem, redraw);
    case 'error':
      return h('div', { class: 'msg error', role: 'alert', 'data-seq': b.seq }, b.message);
    case 'notice':
      return h('div', { class: 'msg notice', 'data-seq': b.seq }, b.message);
    case 'attachment': {
      const state = b.state === 'copied' ? h('span', {}, badge('on the host', 'ok'), ' ', h('code', {}, b.path ?? ''))
        : b.state === 'failed' ? h('span', { role: 'alert' }, badge('not copied', 'failed'), ` ${b.message ?? ''}`)
        : badge('being copied');
      return h('div', { class: 'block attachment', 'data-attachment': b.id }, badge('file', 'none'), ' ',
        h('a', { href: `/api/sessions/${encodeURIComponent(session.id)}/attachments/${encodeURIComponent(b.id)}/content`,
          download: b.name }, b.name),
        h('span', { class: 'muted' }, ` ${b.mediaType}, ${b.size.toLocaleString()} bytes, attached by ${b.by} `), state);
    }
  }
}

/** A finished message longer than this (characters or lines) is shown folded, with a button to unfold it. */
const LONG_CHARS = 2500;
const LONG_LINES = 40;

function collapsible(el: HTMLElement, text: string): HTMLElement {
  if (text.length <= LONG_CHARS && text.split('\n').length <= LONG_LINES) {
    return el;
  }
  el.classList.add('long', 'folded');
  const toggle = h('button', { type: 'button', class: 'secondary unfold', 'aria-expanded': 'false' }, 'Show all');
  toggle.onclick = () => {
    const folded = el.classList.toggle('folded');
    toggle.textContent = folded ? 'Show all' : 'Show less';
    toggle.setAttribute('aria-expanded', String(!folded));
  };
  el.append(toggle);
  return el;
}

/** How much of a command's output the transcript shows at most, unless the whole output was asked for. */
const SHOWN_OUTPUT = 8192;

/**
 * A command's output: its end (the last 8,192 characters) with a mark saying how much there was and
 * a button that fetches the whole output kept for it; once fetched, all of it (and, when the
 * installation kept less than there was, that too).
 */
function commandOutput(b: Extract<Block, { type: 'command' }>, session: Session, problem: (m: string) => void,
                       redraw: () => void): HTMLElement[] {
  const total = Math.max(b.outputChars ?? 0, b.output.length);
  if (b.whole) {
    return [h('pre', { class: 'output whole' }, b.whole.text || '(no output)'),
      h('p', { class: 'output-mark muted' }, b.whole.truncated
        ? `The first ${b.whole.text.length.toLocaleString()} of ${total.toLocaleString()} characters were kept.`
        : `The whole output: ${b.whole.text.length.toLocaleString()} characters.`)];
  }
  let shown = b.output.length > SHOWN_OUTPUT ? b.output.slice(-SHOWN_OUTPUT) : b.output;
  if (shown.length < b.output.length && /^[\uDC00-\uDFFF]/.test(shown)) {
    shown = shown.slice(1); // never start in the middle of a pair
  }
  const pre = h('pre', { class: 'output' }, shown || (b.running ? '' : '(no output)'));
  if (b.running || total <= shown.length) {
    return [pre];
  }
  const more = h('button', { type: 'button', class: 'secondary', onclick: async () => {
    more.disabled = true;
    try {
      const whole = await api<{ output: string; truncated: boolean }>(
        `/api/sessions/${encodeURIComponent(session.id)}/commands/${encodeURIComponent(b.itemId)}/output`);
      b.whole = { text: whole.output, truncated: whole.truncated };
      redraw();
    } catch (e) {
      problem(`The whole output could not be loaded: ${describe(e)}`);
      more.disabled = false;
    }
  } }, 'Show the whole output');
  return [h('p', { class: 'output-mark muted' },
    `Showing the last ${shown.length.toLocaleString()} of ${total.toLocaleString()} characters. `, more), pre];
}

function sessionEnded(session: Session): boolean {
  return session.state === 'stopped' || session.state === 'failed';
}

function approvalCard(b: Extract<Block, { type: 'approval' }>, a: Approval | undefined, session: Session, mayDecide: boolean,
                      problem: (m: string) => void, redraw: () => void): HTMLElement {
  const risk = a?.risk || b.risk || 'unknown';
  const decided = b.decision ?? (a && a.state !== 'pending' ? a.state : null);
  const card = h('section', { class: `approval risk-${risk}${decided ? ' decided' : ''}`, 'aria-label': 'Approval request',
      'data-request': b.requestId },
    h('h3', {}, b.kind === 'file_change' ? 'Apply file changes?' : 'Run this command?', ' ', badge(risk)),
    h('pre', {}, a?.summary || b.summary),
    b.reason ? h('p', { class: 'muted' }, b.reason) : null);
  if (decided) {
    card.append(h('p', { class: 'decision' }, badge(decided), b.decidedBy ? ` by ${b.decidedBy}` : ''));
    return card;
  }
  if (sessionEnded(session)) {
    // the service expires it on its next sweep; nothing can run it any more, so nobody is asked to decide
    card.classList.add('decided');
    card.append(h('p', { class: 'decision' }, badge('expired'), ' — the session ended before a decision'));
    return card;
  }
  if (!mayDecide) {
    card.append(h('p', { class: 'muted' }, 'Waiting for the session\'s operator or an approver.'));
    return card;
  }
  if (!a) {
    card.append(h('p', { class: 'muted' }, 'loading…'));
    return card;
  }
  // destructive requests need the typed phrase, as the safety gate asks for production changes
  const phrase = risk === 'destructive' ? 'approve' : null;
  const typed = phrase ? h('input', { type: 'text', 'aria-label': `Type ${phrase} to approve`, placeholder: `type “${phrase}”`,
    autocomplete: 'off' }) : null;
  const decide = async (decision: 'approved' | 'denied') => {
    if (decision === 'approved' && phrase && typed!.value.trim().toLowerCase() !== phrase) {
      problem(`Type “${phrase}” to approve a ${risk} request.`);
      typed!.focus();
      return;
    }
    buttons.forEach((x) => { x.disabled = true; });
    try {
      const v = await api<Approval>(`/api/sessions/${session.id}/approvals/${a.id}/decision`,
        { method: 'POST', body: { decision } });
      a.state = v.state;
      b.decision = v.state;
      redraw();
    } catch (e) {
      problem(describe(e));
      buttons.forEach((x) => { x.disabled = false; });
    }
  };
  const buttons = [
    h('button', { type: 'button', class: 'approve', onclick: () => decide('approved') }, 'Approve'),
    h('button', { type: 'button', class: 'deny secondary', onclick: () => decide('denied') }, 'Deny'),
  ];
  card.append(h('div', { class: 'actions' }, typed, ...buttons));
  return card;
}
