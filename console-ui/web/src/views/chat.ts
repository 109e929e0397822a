/**
 * The home screen: the operator's conversation with the coordinator. Slash commands work without a
 * model; free text goes to the coordinator's Codex when it has auth here (the banner says when it has
 * not). The conversation streams in and replays from the start on every open; the operator's message
 * is echoed at once; a thinking indicator runs until the first output; tool results are compact
 * cards; a proposal card shows what would happen, the phrase that confirms it and how long it waits,
 * with Confirm and Cancel. Project sessions stay one click away in the side panel.
 */
import { firstRun } from './firstrun';
import { ApiError, api, describe, type Me } from '../api';
import { h } from '../dom';
import { renderMarkdown } from '../render';
import { Conversation, type ChatBlock } from '../conversation';
import { StreamCursor, openStreamAt } from '../stream';
import type { Entry } from '../transcript';

interface ConversationView { id: string; state: string; model_available: boolean; model_unavailable_reason: string | null }

function remaining(iso: string, now = Date.now()): string {
  const ms = Date.parse(iso) - now;
  if (!Number.isFinite(ms)) {
    return '';
  }
  if (ms <= 0) {
    return 'expired';
  }
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s left` : `${s} s left`;
}

export async function chatView(root: HTMLElement, me: Me): Promise<() => void> {
  let conversation: ConversationView | null = null;
  try {
    conversation = await api<ConversationView>('/api/coordinator/conversation');
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 404)) {
      throw e;
    }
  }
  const model = new Conversation();
  const log = h('div', { class: 'transcript chat', role: 'log', 'aria-live': 'polite', 'aria-label': 'Conversation with the coordinator' });
  const thinking = h('div', { class: 'thinking', role: 'status', hidden: true }, h('span', { class: 'dots' }), ' thinking…');
  const notice = h('div', { class: 'stream-notice', role: 'status' });
  const banner = h('p', { class: 'muted coordinator-mode' });
  const showMode = (c: ConversationView | null) => {
    banner.textContent = c && !c.model_available
      ? `Slash commands only: ${c.model_unavailable_reason ?? 'no model'}. Type /help.`
      : 'Tell the console what you need, or type /help for commands that need no model.';
  };
  showMode(conversation);
  root.replaceChildren(h('h1', {}, 'Coordinator'), banner, log, thinking, notice);
  void firstRun(me).then((guide) => { if (guide && root.isConnected) root.insertBefore(guide, banner); }).catch(() => undefined);

  const input = h('textarea', { id: 'chat-input', rows: 2, 'aria-label': 'Message to the coordinator',
    placeholder: 'e.g. “I have a new server at 10.76.22.150, call it test-001” or /targets (Enter sends)' });
  const send = h('button', { type: 'submit' }, 'Send');
  const composer = h('form', { class: 'composer' }, input, send);
  root.append(composer);

  const echoes: { text: string; el: HTMLElement }[] = [];
  const rendered = new Map<ChatBlock, HTMLElement>();
  // one ticker for every pending proposal's countdown
  const ticker = window.setInterval(() => {
    log.querySelectorAll<HTMLElement>('.proposal.pending .expiry[data-expires]').forEach((el) => {
      el.textContent = remaining(el.dataset.expires ?? '');
    });
  }, 1000);

  const decide = async (block: Extract<ChatBlock, { type: 'proposal' }>, how: 'confirm' | 'cancel', el: HTMLElement) => {
    el.querySelectorAll('button').forEach((b) => { (b as HTMLButtonElement).disabled = true; });
    try {
      await api(`/api/coordinator/proposals/${encodeURIComponent(block.id)}/${how}`, {
        method: 'POST', body: how === 'confirm' ? { phrase: block.phrase } : undefined,
      });
    } catch (e) {
      el.append(h('p', { class: 'error', role: 'alert' }, describe(e)));
      el.querySelectorAll('button').forEach((b) => { (b as HTMLButtonElement).disabled = false; });
    }
  };

  const draw = (block: ChatBlock): HTMLElement => {
    switch (block.type) {
      case 'operator':
        return h('div', { class: 'msg operator' }, h('div', { class: 'who' }, block.author), h('div', { class: 'text' }, block.text));
      case 'agent':
        return h('div', { class: 'msg agent' }, h('div', { class: 'who' }, 'coordinator'), renderMarkdown(block.text));
      case 'status':
        return h('div', { class: 'status-line muted' }, block.text);
      case 'tool': {
        const ok = block.outcome === 'ok';
        return h('div', { class: `card tool ${ok ? 'ok' : 'refused'}`, 'data-tool': block.tool },
          h('div', { class: 'card-title' }, block.title, ok ? '' : ` — ${block.outcome}${block.status ? ` (${block.status})` : ''}`),
          block.rows.length ? h('ul', {}, ...block.rows.map((r) => h('li', {}, r))) : h('pre', { class: 'card-text' }, block.text));
      }
      case 'proposal': {
        const left = block.state === 'pending'
          ? h('span', { class: 'expiry', 'data-expires': block.expiresAt }, remaining(block.expiresAt)) : '';
        const el = h('div', { class: `card proposal ${block.state}`, 'data-proposal': block.id },
          h('div', { class: 'card-title' }, 'Confirmation needed'),
          h('p', {}, block.summary),
          h('p', {}, 'Type ', h('code', {}, block.phrase), ' or press Confirm. ', left));
        const state = h('p', { class: 'proposal-state' });
        el.append(state);
        if (block.state === 'pending') {
          el.append(h('div', { class: 'actions' },
            h('button', { type: 'button', onclick: () => void decide(block, 'confirm', el) }, 'Confirm'),
            h('button', { type: 'button', class: 'secondary', onclick: () => void decide(block, 'cancel', el) }, 'Cancel')));
        } else {
          state.textContent = `${block.state}${block.decidedBy ? ` by ${block.decidedBy}` : ''}`;
        }
        return el;
      }
      case 'relay':
        return h('div', { class: 'msg agent relayed' }, h('div', { class: 'who' }, `worker of ${block.project}`), renderMarkdown(block.text));
      case 'note':
        return h('div', { class: 'msg note' }, h('pre', { class: 'card-text' }, block.text));
      case 'error':
        return h('div', { class: 'error', role: 'alert' }, block.message);
    }
  };

  const render = () => {
    const keep = new Set<ChatBlock>(model.blocks);
    for (const [block, el] of rendered) {
      if (!keep.has(block)) {
        el.remove();
        rendered.delete(block);
      }
    }
    let previous: HTMLElement | null = null;
    for (const block of model.blocks) {
      const fresh = draw(block);
      const old = rendered.get(block);
      if (old) {
        if (old.outerHTML !== fresh.outerHTML) {
          old.replaceWith(fresh);
          rendered.set(block, fresh);
        } else {
          previous = old;
          continue;
        }
      } else if (previous) {
        previous.after(fresh);
        rendered.set(block, fresh);
      } else {
        log.prepend(fresh);
        rendered.set(block, fresh);
      }
      previous = rendered.get(block)!;
    }
    thinking.hidden = !model.thinking;
    (log.lastElementChild as HTMLElement | null)?.scrollIntoView?.({ block: 'end' });
  };

  let close: () => void = () => undefined;
  const listen = (c: ConversationView) => {
    close = openStreamAt((after) => `/api/coordinator/stream?after=${after}`, {
      record: (_seq, data) => {
        const entry = data as Entry;
        if (entry.kind === 'operator_message') {
          const i = echoes.findIndex((p) => p.text === String(entry.body?.text ?? ''));
          if (i >= 0) {
            echoes[i].el.remove();
            echoes.splice(i, 1);
          }
        }
        model.apply(entry);
        notice.textContent = '';
        render();
      },
      problem: (message) => { notice.textContent = message; },
    }, new StreamCursor(`coordinator.${c.id}`));
  };
  if (conversation) {
    listen(conversation);
  }

  composer.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) {
      return;
    }
    input.value = '';
    const echo = h('div', { class: 'msg operator pending' }, h('div', { class: 'who' }, me.name), h('div', { class: 'text' }, text));
    log.append(echo);
    echoes.push({ text, el: echo });
    thinking.hidden = false;
    echo.scrollIntoView?.({ block: 'end' });
    api<{ conversation_id: string }>('/api/coordinator/messages', { method: 'POST', body: { text } })
      .then(async (posted) => {
        if (!conversation) {
          conversation = await api<ConversationView>('/api/coordinator/conversation');
          showMode(conversation);
          if (conversation.id === posted.conversation_id) {
            listen(conversation);
          }
        }
      })
      .catch((err) => {
        echo.classList.add('failed');
        echo.append(h('div', { class: 'error', role: 'alert' }, `not sent: ${describe(err)}`));
        thinking.hidden = true;
      });
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      composer.requestSubmit();
    }
  });
  input.focus({ preventScroll: true });
  return () => {
    close();
    window.clearInterval(ticker);
  };
}
