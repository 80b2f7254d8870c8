// The forum's JSON API from the browser: JSON in and out, problem+json errors, member tokens.

import { accessToken } from './session.js';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || problem?.message || `The forum answered ${status}.`);
    this.status = status;
    this.problem = problem || {};
  }
}

/** Raised when an action needs a member and there is no (valid) session. */
export class SignInRequired extends Error {
  constructor() {
    super('Sign in to do this.');
  }
}

async function send(path, method, body, token) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  return fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
  });
}

export async function api(path, { method = 'GET', body, auth = false } = {}) {
  let token = null;
  if (auth) {
    token = await accessToken();
    if (!token) throw new SignInRequired();
  }
  let response = await send(path, method, body, token);
  if (response.status === 401 && auth) {
    token = await accessToken({ force: true });
    if (!token) throw new SignInRequired();
    response = await send(path, method, body, token);
    if (response.status === 401) throw new SignInRequired();
  }
  if (response.status === 204) return null;
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

let openapi = null;

/** Whether the API offers a route (as /api/openapi.json names it), for features that arrive later. */
export async function hasRoute(method, template) {
  openapi ??= fetch('/api/openapi.json')
    .then((response) => (response.ok ? response.json() : { paths: {} }))
    .catch(() => ({ paths: {} }));
  const document = await openapi;
  // Path parameters may be named anything: /api/attachments/{id} matches /api/attachments/{x}.
  const wanted = template.replace(/\{[^}]+\}/g, '{}');
  return Object.entries(document.paths || {}).some(
    ([path, operations]) => path.replace(/\{[^}]+\}/g, '{}') === wanted && operations?.[method.toLowerCase()],
  );
}

/** The words to show a person for an error. */
export function describe(error) {
  if (error instanceof ApiError) {
    const fields = (error.problem.errors || []).map((item) => item.message).filter(Boolean);
    const detail = error.problem.detail || error.message;
    return fields.length && !detail.includes(fields[0]) ? `${detail} ${fields.join(' ')}` : detail;
  }
  if (error instanceof TypeError) return 'The forum cannot be reached; check your connection and try again.';
  return error?.message || 'Something went wrong.';
}
