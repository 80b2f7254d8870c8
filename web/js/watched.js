// /watched: what the signed-in member watches or muted (GET /api/me/watched), with a button to
// stop each, and the setting that has them watch the topics they start or reply to.

import { describe } from './api.js';
import { busy, el } from './dom.js';
import { member } from './session.js';
import { asMember } from './signin.js';

// Every word this page's script shows, in one place, for a catalog to replace.
export const WORDS = {
  none: 'You watch nothing yet. Watch a topic or a board from its page.',
  topic: 'Topic',
  board: 'Board',
  muted: 'muted',
  stop: 'Stop watching',
  unmute: 'Unmute',
  stopped: (title) => `You no longer watch ${title}.`,
  autoOn: 'You will watch the topics you start or reply to.',
  autoOff: 'You will not watch the topics you start or reply to, unless you ask to.',
};

function announce(text) {
  const status = document.querySelector('[data-notices-status]');
  if (status) status.textContent = text;
}

function entryElement(entry) {
  const label = entry.level === 'muted' ? WORDS.unmute : WORDS.stop;
  const button = el('button', { type: 'button', class: 'button', 'aria-label': `${label}: ${entry.title}` }, label);
  const item = el(
    'li',
    { dataset: { watched: entry.id } },
    el('span', { class: 'hint' }, entry.what === 'board' ? WORDS.board : WORDS.topic),
    ' ',
    el('a', { href: entry.url }, entry.title),
    entry.level === 'muted' ? el('span', { class: 'badge' }, WORDS.muted) : null,
    ' ',
    button,
  );
  const path = entry.what === 'board' ? `/api/boards/${encodeURIComponent(entry.id)}/watch` : `/api/topics/${encodeURIComponent(entry.id)}/watch`;
  button.addEventListener('click', () =>
    busy(button, async () => {
      try {
        await asMember(path, { method: 'DELETE' });
        item.remove();
        announce(WORDS.stopped(entry.title));
      } catch (error) {
        announce(describe(error));
      }
    }),
  );
  return item;
}

export async function start() {
  if (!member()) {
    document.querySelector('[data-notices-guest]').hidden = false;
    return;
  }
  const section = document.querySelector('[data-watched]');
  const list = section.querySelector('[data-watched-list]');
  const more = section.querySelector('[data-more]');
  const auto = section.querySelector('[data-auto-watch]');
  section.hidden = false;
  let cursor = null;
  async function load() {
    const query = cursor ? `?cursor=${encodeURIComponent(cursor)}` : '';
    const page = await asMember(`/api/me/watched${query}`);
    auto.checked = page.auto_watch;
    list.append(...page.watched.map(entryElement));
    cursor = page.next_cursor;
    more.hidden = !cursor;
    if (!list.children.length) announce(WORDS.none);
  }
  auto.addEventListener('change', async () => {
    auto.disabled = true;
    try {
      const answer = await asMember('/api/me/auto-watch', { method: 'PUT', body: { enabled: auto.checked } });
      auto.checked = answer.auto_watch;
      announce(answer.auto_watch ? WORDS.autoOn : WORDS.autoOff);
    } catch (error) {
      auto.checked = !auto.checked;
      announce(describe(error));
    } finally {
      auto.disabled = false;
    }
  });
  more.addEventListener('click', () => busy(more, () => load().catch((error) => announce(describe(error)))));
  try {
    await load();
  } catch (error) {
    announce(describe(error));
  }
}
