import { append } from './dom';
import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './render';

function html(text: string): string {
  const div = document.createElement('div');
  div.appendChild(renderMarkdown(text));
  return div.innerHTML;
}

describe('renderMarkdown', () => {
  const dom = (text: string): HTMLElement => {
    const div = document.createElement('div');
    div.appendChild(renderMarkdown(text));
    return div;
  };

  it('keeps markup in agent text as text', () => {
    const out = html('<img src=x onerror="alert(1)"> and <script>alert(2)</script>');
    expect(out).toBe('<p>&lt;img src=x onerror="alert(1)"&gt; and &lt;script&gt;alert(2)&lt;/script&gt;</p>');
    const div = dom('<b onclick="x()">hi</b>\n- <i>item</i>\n```\n<svg onload=alert(1)>\n```\n\n<div style="x">y</div>');
    expect(div.querySelectorAll('b, i, svg, script, img, div[style]').length).toBe(0);
    expect(div.textContent).toContain('<svg onload=alert(1)>');
    expect(div.querySelector('[onclick], [onload], [style]')).toBeNull();
  });

  it('renders headings, paragraphs, lists, task lists, tables and block quotes', () => {
    const div = dom('# Plan\n\nFirst line\nsame paragraph\n\n## Steps\n- one\n- **two**\n\n1. a\n2. `b`\n\n'
      + '- [x] build\n- [ ] deploy\n\n| host | state |\n|---|:-:|\n| web-1 | ok |\n\n> quoted');
    expect(div.querySelector('h1')?.textContent).toBe('Plan');
    expect(div.querySelector('h2')?.textContent).toBe('Steps');
    expect(div.querySelector('p')?.textContent).toBe('First line\nsame paragraph');
    expect([...div.querySelectorAll('ul:not(:has(.task)) li')].map((li) => li.innerHTML)).toEqual(['one', '<strong>two</strong>']);
    expect(div.querySelector('ol li:nth-child(2) code')?.textContent).toBe('b');
    const tasks = [...div.querySelectorAll('li.task')];
    expect(tasks.map((li) => [(li.querySelector('input') as HTMLInputElement).checked, li.textContent])).toEqual(
      [[true, 'build'], [false, 'deploy']]);
    expect((tasks[0].querySelector('input') as HTMLInputElement).disabled).toBe(true);
    expect([...div.querySelectorAll('.table-wrap table th')].map((th) => th.textContent)).toEqual(['host', 'state']);
    expect(div.querySelector('table td')?.textContent).toBe('web-1');
    expect(div.querySelector('blockquote')?.textContent?.trim()).toBe('quoted');
  });

  it('shows fenced code with its language and a copy button', () => {
    const div = dom('```bash\nnpm test && echo "<ok>"\n```\nafter');
    const code = div.querySelector('pre > code') as HTMLElement;
    expect(code.textContent).toBe('npm test && echo "<ok>"');
    expect(code.dataset.language).toBe('bash');
    expect(div.querySelector('.code-bar .language')?.textContent).toBe('bash');
    expect(div.querySelector('.code-bar button.copy')?.textContent).toBe('Copy');
    expect(div.querySelector('p')?.textContent).toBe('after');
  });

  it('shows a megabyte message as plain, inert text (no markdown parse on every delta)', () => {
    const big = `# not a heading\n<b>x</b>\u202e ${'y'.repeat(1_000_000)}`;
    const div = dom(big);
    expect(div.querySelector('h1, b')).toBeNull();
    expect(div.querySelector('pre.plain')?.textContent?.startsWith('# not a heading\n<b>x</b>\u27e6RLO\u27e7 y')).toBe(true);
    expect(div.querySelector('p.muted')?.textContent).toContain('plain text');
  });

  it('shows an unfinished code block while it streams', () => {
    expect(dom('```\nline 1\nline 2').querySelector('pre > code')?.textContent).toBe('line 1\nline 2');
  });

  it('links only http(s) and mailto addresses, opens them without an opener, and never loads images', () => {
    const a = dom('see [docs](https://example.org/a)').querySelector('a')!;
    expect(a.getAttribute('href')).toBe('https://example.org/a');
    expect(a.rel).toBe('noopener noreferrer');
    expect(a.target).toBe('_blank');
    expect(html('[click](javascript:alert(1))')).not.toContain('<a');
    expect(html('[x](data:text/html,hi)')).not.toContain('<a');
    expect(html('[x](vbscript:msgbox)')).not.toContain('<a');
    expect(dom('![track](https://evil.example/p.png?secret=1)').querySelector('img')).toBeNull();
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
