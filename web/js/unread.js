// A member's unread markers, from the overlay's unread section: boards with unread posts on the
// board index, topics with new posts on a board page (linking their first unread post), the
// "New" divider on a topic page, the header's Unread count, and the mark-read buttons.

import { api, describe } from './api.js';
import { busy, el } from './dom.js';
import { forgetCount, rememberCount, storedCount } from './overlay.js';
import { member } from './session.js';

const WORDS = {
  unread: 'Unread',
  newBadge: 'New',
  newPosts: 'New posts since you last read',
  markAll: 'Mark all read',
  markBoard: 'Mark this board read',
  marked: 'Marked read.',
};

export function countText(count, more) {
  if (!Number.isInteger(count) || count === 0) return WORDS.unread;
  return `${WORDS.unread} (${count}${more ? '+' : ''})`;
}

export function renderCount() {
  const link = document.querySelector('[data-unread-link]');
  if (!link) return;
  const kept = storedCount();
  link.textContent = countText(kept?.count, kept?.more);
}

/** The address of a topic's first unread post, from its plain address (no query, no hash). */
export function firstUnreadUrl(topicUrl, topicId, state) {
  if (!state.first_unread) return `/t/${encodeURIComponent(topicId)}/new`;
  const page = state.first_unread_page || 1;
  return `${topicUrl}${page > 1 ? `?page=${page}` : ''}#msg${state.first_unread}`;
}

function newBadge(href) {
  return el('a', { class: 'badge new', href, dataset: { unreadBadge: '' } }, WORDS.newBadge);
}

function clearMarkers() {
  for (const badge of document.querySelectorAll('[data-unread-badge]')) badge.remove();
  for (const row of document.querySelectorAll('tr.unread')) row.classList.remove('unread');
}

function markButton(label, body) {
  const button = el('button', { type: 'button', class: 'button', dataset: { markRead: '' } }, label);
  button.addEventListener('click', () =>
    busy(button, async () => {
      try {
        await api('/api/me/read-marks', { method: 'POST', body, auth: true });
        clearMarkers();
        forgetCount();
        rememberCount(0, false);
        button.replaceWith(el('span', { role: 'status' }, WORDS.marked));
      } catch (failure) {
        button.after(el('span', { role: 'alert' }, describe(failure)));
      }
    }),
  );
  return button;
}

function onIndex(section) {
  const unread = new Set(section.boards || []);
  for (const row of document.querySelectorAll('tr[data-board-id]')) {
    if (!unread.has(row.dataset.boardId)) continue;
    row.classList.add('unread');
    row.querySelector('a.title')?.before(newBadge(row.querySelector('a.title').getAttribute('href')), ' ');
  }
  document.querySelector('[data-unread-tools]')?.replaceChildren(markButton(WORDS.markAll, {}));
}

function onBoard(section) {
  const states = new Map((section.topics || []).map((state) => [state.topic_id, state]));
  for (const row of document.querySelectorAll('tr[data-topic-id]')) {
    const state = states.get(row.dataset.topicId);
    if (!state?.unread) continue;
    const title = row.querySelector('a.title');
    if (!title) continue;
    row.classList.add('unread');
    title.before(newBadge(firstUnreadUrl(title.getAttribute('href'), row.dataset.topicId, state)), ' ');
  }
  const boardId = document.body.dataset.boardId;
  document.querySelector('[data-unread-tools]')?.replaceChildren(markButton(WORDS.markBoard, { board_id: boardId }));
}

/** The first post on this page the member has not read, by the rules of forum.unread. */
export function firstNewPost(articles, state, mark, me) {
  return articles.find(
    (article) =>
      Number(article.dataset.number) > state.read &&
      (!mark || (article.dataset.createdAt || '') > mark) &&
      article.dataset.authorId !== me,
  );
}

function onTopic(section) {
  const state = section.topic;
  if (!state) return;
  const data = document.body.dataset;
  const thisPage = Number(data.pageNumber) || 1;
  if (location.hash === '#new' && state.unread && state.first_unread_page && state.first_unread_page !== thisPage) {
    // /t/{id}/new landed on the last page; the member's first unread post is elsewhere.
    const base = location.pathname;
    location.replace(`${base}${state.first_unread_page > 1 ? `?page=${state.first_unread_page}` : ''}#msg${state.first_unread}`);
    return;
  }
  if (!state.unread) return;
  const articles = [...document.querySelectorAll('[data-posts] article.post')];
  const first = firstNewPost(articles, state, section.mark, member()?.id);
  if (!first) return;
  const divider = el('li', { class: 'new-divider', dataset: { newDivider: '' } }, el('span', {}, WORDS.newPosts));
  first.closest('li')?.before(divider);
  if (location.hash === '#new') first.scrollIntoView({ block: 'start' });
}

export function apply(section) {
  if (Number.isInteger(section.count)) rememberCount(section.count, section.more);
  renderCount();
  const kind = document.body.dataset.page;
  if (kind === 'index' && section.boards) onIndex(section);
  else if (kind === 'board' && section.topics) onBoard(section);
  else if (kind === 'topic') onTopic(section);
}

window.addEventListener('forum:unread-count', renderCount);
