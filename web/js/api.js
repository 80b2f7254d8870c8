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

async function send(path, method, body, token, key) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  if (key) headers['Idempotency-Key'] = key;
  return fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
  });
}

// Creating requests (`once: true`) carry an Idempotency-Key, the same for the same request until
// it is answered for good: sending a post again after a lost answer, a 503 or a 409 cannot make
// it twice. Another body is another request, with a new key.
const pendingKeys = new Map();

function newKey() {
  // randomUUID exists only on secure pages (https, localhost); a LAN address is neither.
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function settled(status) {
  return status !== 409 && status !== 429 && status < 500;
}

export async function api(path, { method = 'GET', body, auth = false, once = false } = {}) {
  let token = null;
  if (auth) {
    token = await accessToken();
    if (!token) throw new SignInRequired();
  }
  const request = once ? `${method} ${path} ${JSON.stringify(body ?? null)}` : null;
  let key;
  if (request) {
    key = pendingKeys.get(request) || newKey();
    pendingKeys.set(request, key);
  }
  let response = await send(path, method, body, token, key);
  if (response.status === 401 && auth) {
    token = await accessToken({ force: true });
    if (!token) throw new SignInRequired();
    response = await send(path, method, body, token, key);
    if (response.status === 401) throw new SignInRequired();
  }
  if (request && settled(response.status)) pendingKeys.delete(request);
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

const ROUTES_KEY = 'forum.routes';
const ROUTES_SECONDS = 600;
let routes = null;

function normalized(path) {
  // Path parameters may be named anything: /api/attachments/{id} matches /api/attachments/{x}.
  return path.replace(/\{[^}]+\}/g, '{}');
}

async function loadRoutes() {
  try {
    const kept = JSON.parse(sessionStorage.getItem(ROUTES_KEY) || 'null');
    if (kept && Date.now() / 1000 - kept.at < ROUTES_SECONDS) return new Set(kept.routes);
  } catch {
    // Not kept or not readable: ask the API.
  }
  try {
    const response = await fetch('/api/openapi.json');
    const document = response.ok ? await response.json() : { paths: {} };
    const found = [];
    for (const [path, operations] of Object.entries(document.paths || {})) {
      for (const method of Object.keys(operations || {})) found.push(`${method.toUpperCase()} ${normalized(path)}`);
    }
    sessionStorage.setItem(ROUTES_KEY, JSON.stringify({ at: Date.now() / 1000, routes: found }));
    return new Set(found);
  } catch {
    return new Set();
  }
}

/** Whether the API offers a route (per /api/openapi.json), for features that arrive later. */
export async function hasRoute(method, template) {
  routes ??= loadRoutes();
  return (await routes).has(`${method.toUpperCase()} ${normalized(template)}`);
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
