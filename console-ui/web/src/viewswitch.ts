import { h } from './dom';

/** Draws a view into its box and says how to leave it (stop its streams and timers). */
export type Draw = (box: HTMLElement) => Promise<() => void>;

/**
 * Shows one view at a time in `main`. Each view draws into its own box (`.view`, laid out as if its
 * children were main's own): a view still loading when the operator moves on draws into a box that
 * is no longer shown and is left as soon as it is ready, so it can neither cover the newer view nor
 * keep its streams open. The returned function resolves true when the drawn view is the one shown.
 */
export function viewSwitch(main: HTMLElement): (draw: Draw) => Promise<boolean> {
  let shown = 0;
  let leave: () => void = () => undefined;
  return async (draw) => {
    const mine = ++shown;
    leave();
    leave = () => undefined;
    const box = h('div', { class: 'view' }, h('p', { class: 'muted' }, 'loading…'));
    main.replaceChildren(box);
    const left = await draw(box);
    if (mine !== shown) {
      left();
      return false;
    }
    leave = left;
    return true;
  };
}
