// Everything personal on a page, from one call: GET /api/me/overlay. The page is the same for
// everyone (cached at the edge); its script says what page it is (the index, a board page, a
// topic page) and every feature applies its own section of the answer. A feature with
// something personal to show adds its section to the API's overlay and its function to
// `sections` below; the call stays one.

import { api } from './api.js';
import { member } from './session.js';

const COUNT_KEY = 'forum.unread.count';
// The header's notifications count, kept by account.js; gone once notifications are read.
export const NOTIFICATIONS_KEY = 'forum.notifications.unread';
// The header's unread count costs the Unread list's three requests: asked for once a minute.
const COUNT_EVERY_MS = 60_000;

let pending = null;

export function storedCount() {
  try {
    const kept = JSON.parse(sessionStorage.getItem(COUNT_KEY) || 'null');
    return kept && Number.isInteger(kept.count) ? kept : null;
  } catch {
    return null;
  }
}

export function rememberCount(count, more) {
  sessionStorage.setItem(COUNT_KEY, JSON.stringify({ count, more: Boolean(more), at: Date.now() }));
  window.dispatchEvent(new CustomEvent('forum:unread-count'));
}

/** The next overlay asks for the count again (after marking things read). */
export function forgetCount() {
  sessionStorage.removeItem(COUNT_KEY);
}

function query() {
  const data = document.body.dataset;
  const params = new URLSearchParams();
  if (data.page === 'index') params.set('index', 'true');
  else if (data.page === 'board' && data.boardId) {
    params.set('board', data.boardId);
    const cursor = new URLSearchParams(location.search).get('cursor');
    if (cursor) params.set('cursor', cursor);
  } else if (data.page === 'topic' && data.topicId) {
    params.set('topic', data.topicId);
    params.set('page', data.pageNumber || '1');
  }
  const kept = storedCount();
  const stale = !kept || Date.now() - kept.at > COUNT_EVERY_MS;
  if (stale || sessionStorage.getItem(NOTIFICATIONS_KEY) === null) params.set('count', 'true');
  return params.toString();
}

/** This page's overlay (one call per page and session); null for a guest or on failure. */
export function overlay() {
  if (!member()) return Promise.resolve(null);
  if (!pending) pending = api(`/api/me/overlay?${query()}`, { auth: true }).catch(() => null);
  return pending;
}

const sections = {
  unread: () => import('./unread.js'),
  notifications: () => import('./account.js'),
};

export async function applyOverlay() {
  const answer = await overlay();
  if (!answer) return;
  for (const [name, load] of Object.entries(sections)) {
    if (answer[name] == null) continue;
    try {
      (await load()).apply(answer[name]);
    } catch (error) {
      console.error(`The ${name} overlay failed:`, error);
    }
  }
}

// The sign-in and sign-up pages leave as soon as a session begins: nothing to overlay there.
const LEAVING = new Set(['login', 'register', 'forgot-password']);

window.addEventListener('forum:session', () => {
  pending = null;
  if (!LEAVING.has(document.body.dataset.page)) applyOverlay();
});
