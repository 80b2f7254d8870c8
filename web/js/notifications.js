// /notifications: the signed-in member's notifications, newest first (GET /api/me/notifications,
// page after page), each a link to the post on its page; opening one marks it read, and "Mark
// all read" marks them all. The page arrives the same for everyone; the list is the member's own.

import { describe } from './api.js';
import { localizeDates } from './dates.js';
import { busy, el } from './dom.js';
import { member } from './session.js';
import { asMember } from './signin.js';

// Every word this page's script shows, in one place, for a catalog to replace.
export const WORDS = {
  none: 'Nothing new: you have no notifications.',
  markRead: 'Mark read',
  unread: 'unread',
  reason: (reason) => `Reason: ${reason}`,
  allRead: 'All your notifications are marked read.',
};

function announce(text) {
  const status = document.querySelector('[data-notices-status]');
  if (status) status.textContent = text;
}

async function markRead(entry, item) {
  await asMember(`/api/me/notifications/${encodeURIComponent(entry.id)}/read`, { method: 'POST' });
  entry.read = true;
  item.classList.remove('unread');
  item.querySelector('[data-mark-read]')?.remove();
  item.querySelector('.badge')?.remove();
  window.dispatchEvent(new CustomEvent('forum:notifications'));
}

function entryElement(entry) {
  const link = el('a', { href: entry.url }, entry.text);
  const time = el('time', { datetime: entry.updated_at }, entry.updated_at);
  const item = el(
    'li',
    { class: entry.read ? 'notification' : 'notification unread', dataset: { notification: entry.id, kind: entry.kind } },
    entry.read ? null : el('span', { class: 'badge' }, WORDS.unread),
    ' ',
    link,
    ' ',
    time,
    entry.reason ? el('p', { class: 'hint' }, WORDS.reason(entry.reason)) : null,
  );
  if (!entry.read) {
    const button = el('button', { type: 'button', class: 'button link', dataset: { markRead: '' } }, WORDS.markRead);
    button.addEventListener('click', () => busy(button, () => markRead(entry, item).catch((error) => announce(describe(error)))));
    item.append(' ', button);
    link.addEventListener('click', (event) => {
      // Read once it is opened; the link is followed when that is answered (or failed).
      event.preventDefault();
      markRead(entry, item)
        .catch(() => {})
        .finally(() => location.assign(entry.url));
    });
  }
  return item;
}

export async function start() {
  if (!member()) {
    document.querySelector('[data-notices-guest]').hidden = false;
    return;
  }
  const section = document.querySelector('[data-notifications]');
  const list = section.querySelector('[data-notification-list]');
  const more = section.querySelector('[data-more]');
  const all = section.querySelector('[data-mark-all-read]');
  section.hidden = false;
  let cursor = null;
  async function load() {
    const query = cursor ? `?cursor=${encodeURIComponent(cursor)}` : '';
    const page = await asMember(`/api/me/notifications${query}`);
    list.append(...page.notifications.map(entryElement));
    localizeDates(list);
    cursor = page.next_cursor;
    more.hidden = !cursor;
    if (!list.children.length) announce(WORDS.none);
  }
  more.addEventListener('click', () => busy(more, () => load().catch((error) => announce(describe(error)))));
  all.addEventListener('click', () =>
    busy(all, async () => {
      try {
        await asMember('/api/me/notifications/read', { method: 'POST' });
        for (const item of list.querySelectorAll('.unread')) {
          item.classList.remove('unread');
          item.querySelector('[data-mark-read]')?.remove();
          item.querySelector('.badge')?.remove();
        }
        announce(WORDS.allRead);
        window.dispatchEvent(new CustomEvent('forum:notifications'));
      } catch (error) {
        announce(describe(error));
      }
    }),
  );
  try {
    await load();
  } catch (error) {
    announce(describe(error));
  }
}
