/** Small DOM helpers: every text goes in through textContent, never as HTML. */

/** An API object as the views read it. */
export type Row = Record<string, unknown>;

/** A value as table text: a dash when absent. */
export function text(v: unknown): string {
  return v === null || v === undefined ? '–' : String(v);
}

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | ((e: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]):
    HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) {
      continue;
    }
    if (typeof v === 'function') {
      node.addEventListener(k.replace(/^on/, ''), v);
    } else if (v === true) {
      node.setAttribute(k, '');
    } else {
      node.setAttribute(k, String(v));
    }
  }
  append(node, ...children);
  return node;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) {
      continue;
    }
    parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** A date-time as the operator's locale shows it (or a dash). */
export function when(iso: unknown): string {
  if (typeof iso !== 'string' || !iso) {
    return '–';
  }
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

export function badge(text: string, tone = text): HTMLElement {
  return h('span', { class: `badge badge-${tone.replace(/[^a-z0-9_-]/gi, '')}` }, text);
}
