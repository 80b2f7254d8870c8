// /unread: the topics with posts the member has not read, newest activity first, page by page
// (GET /api/me/unread), or "Replies to you" (?show=replies: GET /api/me/unread/replies), and
// the "Mark all read" button. The page is the same for everyone; this fills it in.

import { api, describe } from './api.js';
import { timeElement } from './dates.js';
import { busy, el } from './dom.js';
import { forgetCount, rememberCount } from './overlay.js';
import { member } from './session.js';
import { firstUnreadUrl } from './unread.js';

const WORDS = {
  nothing: 'Nothing new since you last read.',
  noReplies: 'No new replies to you.',
  by: 'by',
  marked: 'Everything is marked read.',
};

function row(topic) {
  const plain = `/t/${encodeURIComponent(topic.topic_id)}`;
  const href = firstUnreadUrl(plain, topic.topic_id, topic.read);
  return el(
    'tr',
    { class: 'unread', dataset: { topicId: topic.topic_id } },
    el(
      'th',
      { scope: 'row', class: 'subject' },
      el('a', { class: 'badge new', href }, 'New'),
      ' ',
      el('a', { class: 'title', href: plain }, topic.title),
      el('p', { class: 'description' }, el('a', { href: `/b/${encodeURIComponent(topic.board_id)}` }, topic.board_name)),
    ),
    el('td', { class: 'num', dataset: { label: 'Replies' } }, topic.reply_count.toLocaleString('en')),
    el('td', { class: 'last', dataset: { label: 'Last post' } }, timeElement(topic.last_activity), ' ', el('span', { class: 'by' }, `${WORDS.by} ${topic.last_post_author}`)),
  );
}

export async function start() {
  const guest = document.querySelector('[data-unread-guest]');
  const status = document.querySelector('[data-unread-status]');
  const table = document.querySelector('[data-unread-table]');
  const rows = document.querySelector('[data-unread-rows]');
  const more = document.querySelector('[data-unread-more]');
  const tools = document.querySelector('[data-unread-tools]');
  const replies = document.body.dataset.unreadList === 'replies';
  if (!member()) {
    guest.hidden = false;
    return;
  }
  const cursor = new URLSearchParams(location.search).get('cursor');
  let answer;
  try {
    const path = replies ? '/api/me/unread/replies' : `/api/me/unread${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`;
    answer = await api(path, { auth: true });
  } catch (failure) {
    status.textContent = describe(failure);
    status.hidden = false;
    return;
  }
  if (!replies && !cursor) rememberCount(answer.topics.length, Boolean(answer.next_cursor));
  rows.replaceChildren(...answer.topics.map(row));
  table.hidden = answer.topics.length === 0;
  if (!answer.topics.length) {
    status.textContent = replies ? WORDS.noReplies : WORDS.nothing;
    status.hidden = false;
  }
  if (answer.next_cursor) {
    more.querySelector('[data-unread-next]').href = `/unread?cursor=${encodeURIComponent(answer.next_cursor)}`;
    more.hidden = false;
  }
  const button = tools.querySelector('[data-mark-all-read]');
  tools.hidden = false;
  button.addEventListener('click', () =>
    busy(button, async () => {
      try {
        await api('/api/me/read-marks', { method: 'POST', body: {}, auth: true });
        forgetCount();
        rememberCount(0, false);
        rows.replaceChildren();
        table.hidden = true;
        more.hidden = true;
        status.textContent = WORDS.marked;
        status.hidden = false;
      } catch (failure) {
        status.textContent = describe(failure);
        status.hidden = false;
      }
    }),
  );
}
