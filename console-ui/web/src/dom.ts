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
    parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(inert(String(c))) : c);
  }
}

const BIDI: Record<string, string> = {
  '\u202a': 'LRE', '\u202b': 'RLE', '\u202c': 'PDF', '\u202d': 'LRO', '\u202e': 'RLO',
  '\u2066': 'LRI', '\u2067': 'RLI', '\u2068': 'FSI', '\u2069': 'PDI', '\u200e': 'LRM', '\u200f': 'RLM', '\u061c': 'ALM',
};

/**
 * Text as the console shows it, whatever arrived: terminal colour and cursor sequences (CSI, OSC) are
 * dropped, a stray ESC and other control characters show as their control pictures (␛, ␇), and
 * directional overrides and isolates show as visible marks (⟦RLO⟧) instead of reordering what follows
 * — a command cannot be disguised by reversing part of it. Line breaks and tabs stay.
 */
export function inert(text: string): string {
  return text
    .replace(/\u001b\[[0-?]*[ -/]*[@-~]/g, '')
    .replace(/\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g, '')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, (c) => (c === '\u007f' ? '\u2421' : String.fromCharCode(0x2400 + c.charCodeAt(0))))
    .replace(/[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g, (c) => `\u27e6${BIDI[c]}\u27e7`);
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

/** A button that copies the text to the clipboard and says so. */
export function copyButton(text: string, label = 'Copy'): HTMLButtonElement {
  const button = h('button', { type: 'button', class: 'secondary copy' }, label);
  button.onclick = () => {
    void navigator.clipboard?.writeText(text).then(() => { button.textContent = 'Copied'; }).catch(() => undefined);
  };
  return button;
}
