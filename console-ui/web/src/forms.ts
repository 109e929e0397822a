/**
 * Forms that show the API's answer where it belongs: a problem+json `errors` entry next to the
 * field it names (JSON names, dotted or indexed for nested ones), anything else above the buttons.
 */
import { ApiError, api, describe } from './api';
import { h } from './dom';

export interface Field {
  name: string;                 // the input's name; also the API field unless `api` says otherwise
  label: string;
  type?: 'text' | 'number' | 'textarea' | 'select' | 'checkbox' | 'password';
  options?: (string | [string, string])[];  // select: value or [value, label]
  source?: () => Promise<[string, string][]>; // select filled from the API
  required?: boolean;
  value?: string;
  placeholder?: string;
  help?: string;
  api?: string[];               // API field names reported for this input
}

export interface FormSpec {
  fields: Field[];
  submit: string;
  /** Builds the request from the inputs and sends it; its result goes to `done`. */
  send(values: Record<string, string>): Promise<unknown>;
  done?(result: unknown): void;
  /** A last check before sending (a typed confirmation, say): a message stops the submission. */
  check?(values: Record<string, string>): string | null;
}

let ids = 0;

export function form(spec: FormSpec): HTMLFormElement {
  const f = h('form', { class: 'form', novalidate: true });
  const errors = new Map<string, HTMLElement>();
  const inputs = new Map<string, HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>();
  for (const field of spec.fields) {
    const id = `f${++ids}-${field.name}`;
    let input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
    if (field.type === 'textarea') {
      input = h('textarea', { id, name: field.name, rows: 3, placeholder: field.placeholder });
      input.value = field.value ?? '';
    } else if (field.type === 'select') {
      const select = h('select', { id, name: field.name });
      if (!field.required) {
        select.append(h('option', { value: '' }, '—'));
      } else if (field.source && field.value === undefined) {
        // a list loaded from the API: nothing is chosen for the operator (the first of many is not a default)
        select.append(h('option', { value: '', disabled: true, selected: true }, 'Choose…'));
      }
      for (const o of field.options ?? []) {
        const [value, label] = Array.isArray(o) ? o : [o, o];
        select.append(h('option', { value, selected: value === field.value }, label));
      }
      if (field.source) {
        field.source().then((opts) => {
          for (const [value, label] of opts) {
            select.append(h('option', { value, selected: value === field.value }, label));
          }
        }).catch(() => select.append(h('option', { value: '', disabled: true }, '(could not load)')));
      }
      input = select;
    } else {
      input = h('input', { id, name: field.name, type: field.type ?? 'text', placeholder: field.placeholder,
        value: field.type === 'checkbox' ? 'true' : field.value });
    }
    if (field.required) {
      input.setAttribute('aria-required', 'true');
    }
    const error = h('span', { class: 'field-error', id: `${id}-error`, 'data-error-for': field.name });
    input.setAttribute('aria-describedby', `${id}-error`);
    errors.set(field.name, error);
    inputs.set(field.name, input);
    const label = h('label', { for: id }, field.label, field.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null);
    f.append(h('div', { class: `field field-${field.type ?? 'text'}` }, label, input,
      field.help ? h('small', {}, field.help) : null, error));
  }
  const general = h('p', { class: 'form-error', role: 'alert' });
  const button = h('button', { type: 'submit' }, spec.submit);
  f.append(general, button);
  f.addEventListener('submit', async (e) => {
    e.preventDefault();
    general.textContent = '';
    errors.forEach((el) => { el.textContent = ''; });
    inputs.forEach((el) => el.removeAttribute('aria-invalid'));
    const values: Record<string, string> = {};
    inputs.forEach((el, name) => {
      values[name] = el instanceof HTMLInputElement && el.type === 'checkbox' ? String(el.checked) : el.value.trim();
    });
    const refused = spec.check?.(values);
    if (refused) {
      general.textContent = refused;
      return;
    }
    button.disabled = true;
    try {
      const result = await spec.send(values);
      window.dispatchEvent(new CustomEvent('devops:changed'));  // the side panel refreshes at once
      spec.done?.(result);
    } catch (err) {
      showProblem(err, spec.fields, errors, inputs, general);
    } finally {
      button.disabled = false;
    }
  });
  return f;
}

function showProblem(err: unknown, fields: Field[], errors: Map<string, HTMLElement>,
                     inputs: Map<string, HTMLElement>, general: HTMLElement): void {
  if (!(err instanceof ApiError)) {
    general.textContent = describe(err);
    return;
  }
  const unplaced: string[] = [];
  for (const fe of err.fields) {
    const field = fields.find((x) => matches(x, fe.field));
    if (field) {
      const el = errors.get(field.name)!;
      el.textContent = el.textContent ? `${el.textContent}; ${fe.message}` : fe.message;
      inputs.get(field.name)?.setAttribute('aria-invalid', 'true');
    } else {
      unplaced.push(`${fe.field}: ${fe.message}`);
    }
  }
  general.textContent = err.fields.length === 0 ? describe(err) : unplaced.join('; ');
}

/** `bindings[0].working_directory`, `bindings.0.working_directory` and `working_directory` all name an input `working_directory`. */
function matches(field: Field, reported: string): boolean {
  const names = field.api ?? [field.name];
  const last = reported.replace(/\[\d+\]/g, '').split('.').filter((p) => !/^\d+$/.test(p));
  const tail = last[last.length - 1];
  return names.some((n) => n === reported || n === tail || n === last.join('.'));
}

/** Loads `[id, name]` options from a paged list, sorted by name. */
export function options(path: string, label: (x: Record<string, unknown>) => string): () => Promise<[string, string][]> {
  return async () => {
    const page = await api<{ items: Record<string, unknown>[] }>(path);
    return page.items.map((x): [string, string] => [String(x.id), label(x)])
      .sort((a, b) => a[1].localeCompare(b[1], undefined, { sensitivity: 'base', numeric: true }));
  };
}

/** Empty strings become absent; numbers where asked. */
export function clean(values: Record<string, string>, numbers: string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) {
    if (v === '') {
      continue;
    }
    out[k] = numbers.includes(k) && /^\d+$/.test(v) ? Number(v) : v;
  }
  return out;
}
