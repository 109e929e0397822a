import { describe, expect, it } from 'vitest';
import { viewSwitch } from './viewswitch';

describe('viewSwitch', () => {
  it('shows the newest view even when an older one finishes loading after it, and leaves the older one', async () => {
    const main = document.createElement('main');
    const show = viewSwitch(main);
    const left: string[] = [];
    let finishSlow: () => void = () => undefined;
    // the operator opens a slow view, then another before the first has loaded
    const slow = show(async (box) => {
      await new Promise<void>((resolve) => { finishSlow = resolve; });
      box.replaceChildren('slow view');
      return () => left.push('slow');
    });
    const fast = await show(async (box) => {
      box.replaceChildren('fast view');
      return () => left.push('fast');
    });
    expect(fast).toBe(true);
    finishSlow();
    expect(await slow).toBe(false);
    expect(main.textContent).toBe('fast view');
    expect(left).toEqual(['slow']);   // the late view's streams and timers are stopped at once
    // moving on leaves the shown view
    await show(async (box) => {
      box.replaceChildren('third');
      return () => left.push('third');
    });
    expect(left).toEqual(['slow', 'fast']);
    expect(main.textContent).toBe('third');
  });

  it('shows loading in a box of its own until the view has drawn', async () => {
    const main = document.createElement('main');
    const show = viewSwitch(main);
    let seen = '';
    await show(async (box) => {
      seen = `${main.children.length} ${box.className} ${box.parentElement === main} ${box.textContent}`;
      return () => undefined;
    });
    expect(seen).toBe('1 view true loading…');
  });
});
