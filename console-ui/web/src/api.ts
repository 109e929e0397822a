/** Calls to the BFF: same origin, the session cookie, the CSRF token on state-changing calls. */

export interface Me {
  name: string;
  roles: string[];
  csrf_token: string;
}

export class LoginRequired extends Error {}

export class ApiError extends Error {
  constructor(readonly status: number, readonly detail: string, readonly fields: { field: string; message: string }[]) {
    super(detail);
  }
}

let csrf = '';

export async function api<T>(path: string,
  init: { method?: string; body?: unknown; raw?: { data: Blob; type: string } } = {}): Promise<T> {
  const method = init.method ?? 'GET';
  const headers: Record<string, string> = { 'X-Requested-With': 'JavaScript', Accept: 'application/json' };
  if (init.raw) {
    headers['Content-Type'] = init.raw.type;          // a file, sent as it is
  } else if (init.body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  if (method !== 'GET' && method !== 'HEAD') {
    headers['X-CSRF-Token'] = csrf;
  }
  const response = await fetch(path, {
    method, headers, credentials: 'same-origin',
    body: init.raw ? init.raw.data : init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (response.status === 499 || response.status === 401) {
    throw new LoginRequired('log in first');
  }
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (!response.ok) {
    throw new ApiError(response.status, json?.detail ?? response.statusText, json?.errors ?? []);
  }
  return json as T;
}

export async function whoAmI(): Promise<Me> {
  const me = await api<Me>('/auth/me');
  csrf = me.csrf_token;
  return me;
}

/** An error as one line for the operator: `status: detail` for an API answer. */
export function describe(e: unknown): string {
  return e instanceof ApiError ? `${e.status}: ${e.detail}` : e instanceof Error ? e.message : String(e);
}

export function can(me: Me, role: 'viewer' | 'operator' | 'approver' | 'admin'): boolean {
  return me.roles.includes(role);
}
