/**
 * Agent and operator text as DOM, never as HTML: paragraphs, bullet and numbered lists, fenced
 * code blocks, inline code, bold, and http(s) links. Every piece of text goes through
 * textContent, so markup in the text (an agent echoing `<img onerror=...>`) stays text.
 */
import { inert } from './dom';
export function renderMarkdown(text: string, doc: Document = document): DocumentFragment {
  const out = doc.createDocumentFragment();
  const lines = inert(text.replace(/\r\n?/g, '\n')).split('\n');
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    const fence = /^```\s*([A-Za-z0-9_+-]*)\s*$/.exec(line);
    if (fence) {
      const code: string[] = [];
      i++;
      while (i < lines.length && !/^```\s*$/.test(lines[i])) {
        code.push(lines[i]);
        i++;
      }
      i++; // the closing fence (or the end of an unfinished block while it streams)
      const pre = doc.createElement('pre');
      const el = doc.createElement('code');
      if (fence[1]) {
        el.dataset.language = fence[1];
      }
      el.textContent = code.join('\n');
      pre.appendChild(el);
      out.appendChild(pre);
      continue;
    }
    const bullet = /^\s*[-*]\s+(.*)$/;
    const numbered = /^\s*\d+[.)]\s+(.*)$/;
    if (bullet.test(line) || numbered.test(line)) {
      const ordered = numbered.test(line) && !bullet.test(line);
      const list = doc.createElement(ordered ? 'ol' : 'ul');
      const pattern = ordered ? numbered : bullet;
      while (i < lines.length && pattern.test(lines[i])) {
        const li = doc.createElement('li');
        inline(pattern.exec(lines[i])![1], li, doc);
        list.appendChild(li);
        i++;
      }
      out.appendChild(list);
      continue;
    }
    if (line.trim() === '') {
      i++;
      continue;
    }
    const para: string[] = [];
    while (i < lines.length && lines[i].trim() !== '' && !/^```/.test(lines[i]) && !bullet.test(lines[i])
        && !numbered.test(lines[i])) {
      para.push(lines[i]);
      i++;
    }
    const p = doc.createElement('p');
    inline(para.join('\n'), p, doc);
    out.appendChild(p);
  }
  return out;
}

const INLINE = /(`[^`]+`)|(\*\*[^*]+\*\*)|(\[[^\]]+\]\([^)\s]+\))/g;

function inline(text: string, parent: HTMLElement, doc: Document): void {
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    if (m.index! > last) {
      parent.appendChild(doc.createTextNode(text.slice(last, m.index)));
    }
    const token = m[0];
    if (m[1]) {
      const code = doc.createElement('code');
      code.textContent = token.slice(1, -1);
      parent.appendChild(code);
    } else if (m[2]) {
      const strong = doc.createElement('strong');
      strong.textContent = token.slice(2, -2);
      parent.appendChild(strong);
    } else {
      const link = /^\[([^\]]+)\]\(([^)\s]+)\)$/.exec(token)!;
      if (/^https?:\/\//i.test(link[2])) {
        const a = doc.createElement('a');
        a.textContent = link[1];
        a.href = link[2];
        a.rel = 'noopener noreferrer';
        a.target = '_blank';
        parent.appendChild(a);
      } else {
        parent.appendChild(doc.createTextNode(token)); // javascript:, data: and relative links stay text
      }
    }
    last = m.index! + token.length;
  }
  if (last < text.length) {
    parent.appendChild(doc.createTextNode(text.slice(last)));
  }
}
