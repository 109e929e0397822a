import { append } from './dom';
import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './render';

function html(text: string): string {
  const div = document.createElement('div');
  div.appendChild(renderMarkdown(text));
  return div.innerHTML;
}

describe('renderMarkdown', () => {
  it('keeps markup in agent text as text', () => {
    const out = html('<img src=x onerror="alert(1)"> and <script>alert(2)</script>');
    expect(out).toBe('<p>&lt;img src=x onerror="alert(1)"&gt; and &lt;script&gt;alert(2)&lt;/script&gt;</p>');
    const div = document.createElement('div');
    div.appendChild(renderMarkdown('<b onclick="x()">hi</b>\n- <i>item</i>\n```\n<svg onload=alert(1)>\n```'));
    expect(div.querySelectorAll('b, i, svg, script, img').length).toBe(0);
  });

  it('renders paragraphs, lists and code blocks', () => {
    expect(html('First line\nsame paragraph\n\nSecond')).toBe('<p>First line\nsame paragraph</p><p>Second</p>');
    expect(html('- one\n- **two**\n\n1. a\n2. `b`')).toBe(
      '<ul><li>one</li><li><strong>two</strong></li></ul><ol><li>a</li><li><code>b</code></li></ol>');
    expect(html('```bash\nnpm test && echo "<ok>"\n```\nafter')).toBe(
      '<pre><code data-language="bash">npm test &amp;&amp; echo "&lt;ok&gt;"</code></pre><p>after</p>');
  });

  it('shows an unfinished code block while it streams', () => {
    expect(html('```\nline 1\nline 2')).toBe('<pre><code>line 1\nline 2</code></pre>');
  });

  it('links only http(s) addresses, and opens them without an opener', () => {
    expect(html('see [docs](https://example.org/a)')).toBe(
      '<p>see <a href="https://example.org/a" rel="noopener noreferrer" target="_blank">docs</a></p>');
    expect(html('[click](javascript:alert(1))')).not.toContain('<a');
    expect(html('[x](data:text/html,hi)')).not.toContain('<a');
  });
});

describe('text that could mislead is shown as what it is', () => {
  it('directional overrides become visible marks, terminal colours are dropped, control characters show', () => {
    const el = document.createElement('div');
    el.append(renderMarkdown('rm -rf /tmp/\u202Egnp.x\u202C and \u001b[31mred\u001b[0m, bell\u0007, title\u001b]0;owned\u0007!'));
    expect(el.textContent).toBe('rm -rf /tmp/\u27e6RLO\u27e7gnp.x\u27e6PDF\u27e7 and red, bell\u2407, title!');
    const pre = document.createElement('pre');
    append(pre, 'ls \u2066hidden\u2069 \u001b[1;32mok\u001b[m \u001b');
    expect(pre.textContent).toBe('ls \u27e6LRI\u27e7hidden\u27e6PDI\u27e7 ok \u241b');
  });
});
