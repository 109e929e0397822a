import { ApiError, LoginRequired, whoAmI, api, type Me } from './api';
import './style.css';

interface Page<T> {
  items: T[];
  total: number;
}

interface Project {
  id: string;
  slug: string;
  name: string;
}

const app = document.getElementById('app')!;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, attrs: Record<string, string> = {}) {
  const node = document.createElement(tag);
  if (text !== undefined) {
    node.textContent = text;
  }
  for (const [k, v] of Object.entries(attrs)) {
    node.setAttribute(k, v);
  }
  return node;
}

function showLogin(): void {
  app.replaceChildren();
  const box = el('main', undefined, { class: 'login' });
  box.append(el('h1', 'DevOps Console'), el('p', 'Sign in with your organisation account.'));
  const button = el('a', 'Sign in', { href: '/auth/login', class: 'button' });
  box.append(button);
  app.append(box);
  button.focus();
}

function showError(where: HTMLElement, error: unknown): void {
  const message = error instanceof ApiError ? `${error.status}: ${error.detail}` : String(error);
  where.replaceChildren(el('p', message, { role: 'alert', class: 'error' }));
}

async function showConsole(me: Me): Promise<void> {
  app.replaceChildren();
  const header = el('header');
  header.append(el('strong', 'DevOps Console'), el('span', `${me.name} (${me.roles.join(', ')})`, { class: 'who' }),
    el('a', 'Sign out', { href: '/auth/logout' }));
  const side = el('nav', undefined, { 'aria-label': 'Projects' });
  const main = el('main');
  main.append(el('p', 'Choose a project. (Sessions, approvals, inventory, onboarding and audit views are being built.)'));
  app.append(header, side, main);
  side.append(el('h2', 'Projects'));
  try {
    const projects = await api<Page<Project>>('/api/projects?size=200');
    const list = el('ul');
    for (const p of projects.items) {
      const item = el('li');
      const button = el('button', p.name, { type: 'button', 'data-project': p.id });
      button.addEventListener('click', () => {
        main.replaceChildren(el('h1', p.name), el('p', `Project ${p.slug}`));
      });
      item.append(button);
      list.append(item);
    }
    side.append(projects.items.length ? list : el('p', 'No projects yet.'));
  } catch (e) {
    showError(side, e);
  }
}

async function start(): Promise<void> {
  try {
    await showConsole(await whoAmI());
  } catch (e) {
    if (e instanceof LoginRequired) {
      showLogin();
    } else {
      showError(app, e);
    }
  }
}

void start();
