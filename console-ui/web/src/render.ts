/**
 * Agent and operator text as people expect markdown from an agent — headings, paragraphs, lists and
 * task lists, tables, block quotes, fenced code with its language (and a copy button), emphasis,
 * inline code, links — through a maintained parser (markdown-it) and sanitizer (DOMPurify), never
 * as raw HTML:
 *
 * - the text is made inert first (`inert`: terminal escapes dropped, control characters and
 *   directional overrides shown as visible marks), then parsed with raw HTML off, so markup in the
 *   text (an agent echoing `<img onerror=...>`) stays text;
 * - links are kept only for http(s) and mailto addresses and open without an opener; images are not
 *   rendered (a remote image would be fetched by every viewer: a tracking and exfiltration channel);
 * - what markdown-it produces is still sanitized against a short list of elements and attributes.
 *
 * Rendering is a pure function of the text, so a streaming message is rendered again as it grows
 * (an unfinished code fence shows as code until it closes).
 */
import DOMPurify from 'dompurify';
import MarkdownIt from 'markdown-it';
import { copyButton, inert } from './dom';

const md = new MarkdownIt({ html: false, linkify: true, breaks: false, typographer: false });
md.disable(['image']);
md.validateLink = (url: string) => /^(https?:|mailto:)/i.test(url.trim());

const ALLOWED_TAGS = ['p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'li', 'blockquote', 'pre', 'code',
  'em', 'strong', 's', 'a', 'table', 'thead', 'tbody', 'tr', 'th', 'td'];
const ALLOWED_ATTR = ['href', 'class', 'start'];

/** Longer text is shown as plain text: parsing it again on every streamed delta would stall the page. */
export const PLAIN_ABOVE = 100_000;

export function renderMarkdown(text: string, doc: Document = document): DocumentFragment {
  if (text.length > PLAIN_ABOVE) {
    const out = doc.createDocumentFragment();
    const note = doc.createElement('p');
    note.className = 'muted';
    note.textContent = `Shown as plain text (${text.length.toLocaleString()} characters).`;
    const pre = doc.createElement('pre');
    pre.className = 'plain';
    pre.textContent = inert(text.replace(/\r\n?/g, '\n'));
    out.append(note, pre);
    return out;
  }
  const html = md.render(inert(text.replace(/\r\n?/g, '\n')));
  const clean = DOMPurify.sanitize(html, { ALLOWED_TAGS, ALLOWED_ATTR, ALLOW_DATA_ATTR: false }) as string;
  const template = doc.createElement('template');
  template.innerHTML = clean;
  const out = template.content;
  for (const node of [...out.childNodes]) {
    if (node.nodeType === Node.TEXT_NODE && !(node.textContent ?? '').trim()) {
      node.remove(); // the line breaks markdown-it puts between blocks
    }
  }
  for (const a of out.querySelectorAll('a')) {
    if (!/^(https?:|mailto:)/i.test(a.getAttribute('href') ?? '')) {
      a.replaceWith(doc.createTextNode(a.textContent ?? ''));
      continue;
    }
    a.rel = 'noopener noreferrer';
    a.target = '_blank';
  }
  for (const code of out.querySelectorAll('pre > code')) {
    const language = /(?:^|\s)language-([A-Za-z0-9_+-]+)/.exec(code.className)?.[1];
    code.removeAttribute('class');
    const pre = code.parentElement!;
    // markdown-it ends a fenced block's text with its last newline: the block shows without it
    code.textContent = (code.textContent ?? '').replace(/\n$/, '');
    if (language) {
      (code as HTMLElement).dataset.language = language;
    }
    const bar = doc.createElement('div');
    bar.className = 'code-bar';
    if (language) {
      const label = doc.createElement('span');
      label.className = 'language';
      label.textContent = language;
      bar.append(label);
    }
    bar.append(copyButton(code.textContent ?? ''));
    pre.before(bar);
  }
  // task lists: "- [ ] to do" and "- [x] done" as (read-only) check boxes
  for (const li of out.querySelectorAll('li')) {
    const first = li.firstChild?.nodeType === Node.TEXT_NODE ? li.firstChild
      : li.firstElementChild?.tagName === 'P' ? li.firstElementChild.firstChild : null;
    const m = first && first.nodeType === Node.TEXT_NODE ? /^\[([ xX])\]\s/.exec(first.textContent ?? '') : null;
    if (first && m) {
      first.textContent = (first.textContent ?? '').slice(m[0].length);
      const box = doc.createElement('input');
      box.type = 'checkbox';
      box.disabled = true;
      box.checked = m[1] !== ' ';
      box.setAttribute('aria-label', m[1] === ' ' ? 'to do' : 'done');
      first.parentNode!.insertBefore(box, first);
      li.classList.add('task');
    }
  }
  for (const table of out.querySelectorAll('table')) {
    const wrap = doc.createElement('div');
    wrap.className = 'table-wrap';
    table.replaceWith(wrap);
    wrap.append(table);
  }
  return out;
}
