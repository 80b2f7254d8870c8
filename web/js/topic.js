// The topic page: presence, reply (shown at once), quote, edit in place, remove, moderation.

import { api, describe, hasRoute } from './api.js';
import { setupComposer } from './composer.js';
import { localizeDates } from './dates.js';
import { busy, el, showError } from './dom.js';
import { clearDraft, loadDraft, saveDraft } from './drafts.js';
import { editedLine, markRemoved, postElement } from './posts.js';
import { startPresence } from './presence.js';
import { member } from './session.js';
import { asMember } from './signin.js';

const page = document.body.dataset;
const topicId = page.topicId;
const topicPath = `/api/topics/${encodeURIComponent(topicId)}`;
let composer = null;
let status = null;

const locked = () => page.locked === 'true';
const posts = () => [...document.querySelectorAll('[data-posts] article.post')];

function announce(...parts) {
  if (!status) {
    status = el('p', { class: 'notice', role: 'status', dataset: { status: '' } });
    document.querySelector('#reply')?.before(status);
  }
  status.replaceChildren(...parts);
}

// Pages are the server's to count (forum.paging): every post this page shows is on this
// page, and a reply's answer says which page the new post is on.
const thisPage = () => Number(page.pageNumber) || 1;

/** The address of post `number`, shown on page `onPage`. */
function postUrl(number, onPage = thisPage()) {
  const base = location.pathname;
  return `${onPage > 1 ? `${base}?page=${onPage}` : base}#msg${number}`;
}

/** A post's Markdown source and version, from the API (the page holds only the HTML). */
async function source(number) {
  // Past the edge cache: the source being edited must be the latest (its version is checked).
  const answer = await api(`${topicPath}?page=${thisPage()}&fresh=${Date.now()}`);
  const post = answer.posts.find((item) => item.number === number);
  if (!post || post.removed) throw new Error('That post is no longer there.');
  return post;
}

function escapeName(name) {
  return name.replace(/([\\`*_{}[\]()#+\-.!>|~])/g, '\\$1');
}

async function quote(article) {
  const number = Number(article.dataset.number);
  try {
    const post = await source(number);
    const author = article.dataset.author || post.author.name;
    const lines = post.body.split('\n').map((line) => (line ? `> ${line}` : '>'));
    composer?.insert(`> **${escapeName(author)}** wrote in [#${number}](${postUrl(number)}):\n>\n${lines.join('\n')}\n\n`);
  } catch (failure) {
    announce(describe(failure));
  }
}

async function edit(article) {
  if (article.querySelector('[data-edit-form]')) return;
  const number = Number(article.dataset.number);
  const body = article.querySelector('[data-body]');
  const actions = article.querySelector('[data-actions]');
  let post;
  try {
    post = await source(number);
  } catch (failure) {
    announce(describe(failure));
    return;
  }
  const key = `edit:${topicId}:${number}`;
  const kept = loadDraft(key);
  const text = el('textarea', { rows: 8, 'aria-label': `Edit post #${number}`, value: kept?.body ?? post.body, dataset: { editBody: '' } });
  const error = el('p', { class: 'form-error', role: 'alert', hidden: true });
  const save = el('button', { type: 'submit', class: 'button primary' }, 'Save');
  const cancel = el('button', { type: 'button', class: 'button' }, 'Cancel');
  const form = el('form', { class: 'edit-form', dataset: { editForm: '' } }, text, error, el('p', { class: 'form-actions' }, save, cancel));
  const close = () => {
    form.remove();
    body.hidden = false;
    actions.hidden = false;
  };
  text.addEventListener('input', () => saveDraft(key, { body: text.value }));
  cancel.addEventListener('click', () => {
    clearDraft(key);
    close();
    article.querySelector('[data-actions] button')?.focus();
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showError(error, '');
    await busy(save, async () => {
      try {
        const updated = await asMember(`${topicPath}/posts/${number}`, {
          method: 'PATCH',
          body: { body: text.value, version: post.version },
        });
        // The server's sanitized rendering of the new text.
        body.innerHTML = updated.body_html;
        article.dataset.version = String(updated.version);
        editedLine(article.querySelector('[data-edited]'), updated);
        clearDraft(key);
        close();
        announce(`Post #${number} was saved.`);
      } catch (failure) {
        showError(
          error,
          failure.status === 409
            ? 'This post was changed since you opened it. Keep a copy of your text, reload the page and edit again.'
            : describe(failure),
        );
      }
    });
  });
  body.hidden = true;
  actions.hidden = true;
  body.after(form);
  text.focus();
}

async function remove(article) {
  const number = Number(article.dataset.number);
  const question = number === 1 ? 'Remove this whole topic, with all its posts?' : `Remove post #${number}?`;
  if (!window.confirm(question)) return;
  try {
    // A long topic is removed over several requests (202 until done).
    for (let round = 0; round < 20; round += 1) {
      const answer = await asMember(`${topicPath}/posts/${number}`, { method: 'DELETE' });
      if (!answer) break;
    }
  } catch (failure) {
    announce(describe(failure));
    return;
  }
  if (number === 1) {
    location.assign(`/b/${encodeURIComponent(page.boardId)}`);
    return;
  }
  markRemoved(article);
  announce(`Post #${number} was removed.`);
}

function renderActions(article) {
  const actions = article.querySelector('[data-actions]');
  if (!actions || article.querySelector('[data-edit-form]')) return;
  actions.replaceChildren();
  const who = member();
  if (!who || article.dataset.removed === 'true') return;
  const writable = !locked() || who.isModerator;
  const number = article.dataset.number;
  const button = (label, action, extra = '') =>
    el('button', { type: 'button', class: `button ${extra}`.trim(), 'aria-label': `${label} #${number}`, onclick: () => action(article) }, label);
  if (writable) actions.append(button('Quote', quote));
  const own = article.dataset.authorId === who.id;
  if (writable && (own || who.isModerator)) {
    actions.append(button('Edit', edit));
    if (Number(number) > 1 || who.isModerator) actions.append(button('Remove', remove, 'danger'));
  }
}

// A reply's answer names its author by username only (it reads no profile). When the page
// already shows a post of theirs, its author card (display name, avatar, role) is theirs too;
// every card of theirs then counts one post more.
function postsBy(authorId) {
  return [...document.querySelectorAll('article.post')].filter((article) => article.dataset.authorId === authorId);
}

function authorCardFromPage(authorId) {
  return postsBy(authorId)[0]?.querySelector('aside.author')?.cloneNode(true) || null;
}

function countOneMorePost(authorId) {
  for (const count of postsBy(authorId).map((article) => article.querySelector('aside.author .post-count'))) {
    const posts = Number((count?.textContent || '').replace(/\D/g, ''));
    if (count && posts > 0) count.textContent = `Posts: ${(posts + 1).toLocaleString('en')}`;
  }
}

function showReply(answer) {
  const post = answer.post;
  page.lastNumber = String(post.number);
  if (answer.page && answer.page !== thisPage()) {
    // It belongs on a later page: this page stays as it is (its address, reloaded or shared,
    // shows what it showed), and the notice links to the reply where it is.
    announce(
      `Your reply was posted as #${post.number}. It is on page ${answer.page}: `,
      el('a', { href: postUrl(post.number, answer.page) }, `go to #${post.number}`),
      '.',
    );
    return;
  }
  const item = postElement(post, postUrl(post.number));
  const card = authorCardFromPage(post.author.id);
  if (card) item.querySelector('aside.author')?.replaceWith(card);
  document.querySelector('[data-posts]').append(item);
  if (card) countOneMorePost(post.author.id);
  const article = item.querySelector('article');
  localizeDates(article);
  renderActions(article);
  history.replaceState(null, '', `#msg${post.number}`);
  article.scrollIntoView({ block: 'start' });
  article.querySelector('.post-heading a')?.focus({ preventScroll: true });
  announce(`Your reply was posted as #${post.number}.`);
  // Their own reply is read: the next beat says so.
  window.dispatchEvent(new CustomEvent('forum:posts-shown'));
}

// Live replies: every heartbeat's answer names the topic's newest post (last_number). A reader
// on the last page is told of the replies posted since the page was made ("2 new replies: show
// them"), and the tab's title carries the count until they are shown, in place.
const baseTitle = document.title;
let liveNotice = null;

function lastShown() {
  return Math.max(0, ...posts().map((article) => Number(article.dataset.number) || 0));
}

function clearLive() {
  liveNotice?.remove();
  liveNotice = null;
  document.title = baseTitle;
}

function onPresence(seen) {
  const newest = seen.last_number;
  const onLastPage = thisPage() >= (Number(page.pageCount) || 1);
  const waiting = Number.isInteger(newest) ? newest - lastShown() : 0;
  if (!onLastPage || waiting <= 0) {
    clearLive();
    return;
  }
  if (!liveNotice) {
    liveNotice = el('p', { class: 'notice live-replies', role: 'status', dataset: { liveReplies: '' } });
    document.querySelector('[data-posts]')?.after(liveNotice);
  }
  const show = el('button', { type: 'button', class: 'link', dataset: { showReplies: '' } }, 'show them');
  show.addEventListener('click', () => showNewReplies(show));
  liveNotice.replaceChildren(`${waiting} new ${waiting === 1 ? 'reply' : 'replies'}: `, show);
  document.title = `(${waiting}) ${baseTitle}`;
}

async function showNewReplies(button) {
  await busy(button, async () => {
    const after = lastShown();
    let answer;
    try {
      // Past the edge cache: the page as it is now.
      answer = await api(`${topicPath}?page=${thisPage()}&fresh=${Date.now()}`);
    } catch (failure) {
      announce(describe(failure));
      return;
    }
    const list = document.querySelector('[data-posts]');
    for (const post of answer.posts.filter((item) => item.number > after)) {
      const item = postElement(post, postUrl(post.number));
      list.append(item);
      const article = item.querySelector('article');
      localizeDates(article);
      renderActions(article);
    }
    page.lastNumber = String(lastShown());
    clearLive();
    if (answer.topic.page_count > thisPage()) {
      page.pageCount = String(answer.topic.page_count);
      announce('More replies are on the next page: ', el('a', { href: `${location.pathname}?page=${thisPage() + 1}` }, `go to page ${thisPage() + 1}`), '.');
    }
    // The member's read position moves to what the page now shows.
    window.dispatchEvent(new CustomEvent('forum:posts-shown'));
  });
}

function setBadges() {
  const badges = document.querySelector('[data-topic-badges]');
  if (!badges) return;
  badges.replaceChildren(
    page.pinned === 'true' ? el('span', { class: 'badge' }, 'Pinned') : '',
    locked() ? el('span', { class: 'badge locked' }, 'Locked') : '',
  );
}

async function renderTools() {
  const tools = document.querySelector('[data-topic-tools]');
  if (!tools) return;
  const who = member();
  tools.replaceChildren();
  tools.hidden = true;
  if (!who?.isModerator || !(await hasRoute('patch', '/api/topics/{topic_id}'))) return;
  const change = async (button, fields, done) =>
    busy(button, async () => {
      try {
        const answer = await asMember(topicPath, { method: 'PATCH', body: fields });
        done(answer);
        refresh();
      } catch (failure) {
        announce(describe(failure));
      }
    });
  const lock = el('button', { type: 'button', class: 'button' });
  const pin = el('button', { type: 'button', class: 'button' });
  const label = () => {
    lock.textContent = locked() ? 'Unlock topic' : 'Lock topic';
    pin.textContent = page.pinned === 'true' ? 'Unpin topic' : 'Pin topic';
  };
  label();
  lock.addEventListener('click', () =>
    change(lock, { locked: !locked() }, () => {
      page.locked = String(!locked());
      setBadges();
      label();
      announce(locked() ? 'The topic is locked.' : 'The topic is unlocked.');
    }),
  );
  pin.addEventListener('click', () => {
    const pinned = page.pinned === 'true';
    change(pin, { pinned: !pinned }, () => {
      page.pinned = String(!pinned);
      setBadges();
      label();
      announce(pinned ? 'The topic is unpinned.' : 'The topic is pinned.');
    });
  });
  tools.append(lock, pin);
  try {
    const { boards } = await api('/api/boards');
    const others = boards.filter((board) => board.id !== page.boardId);
    if (others.length) {
      const select = el('select', { id: 'move-board', 'aria-label': 'Board to move the topic to' }, others.map((board) => el('option', { value: board.id }, board.name)));
      const move = el('button', { type: 'button', class: 'button' }, 'Move');
      move.addEventListener('click', () =>
        change(move, { board_id: select.value }, () => {
          const target = others.find((board) => board.id === select.value);
          page.boardId = target.id;
          const crumb = document.querySelector('.breadcrumbs li:nth-child(2) a');
          if (crumb) {
            crumb.textContent = target.name;
            crumb.href = `/b/${encodeURIComponent(target.id)}`;
          }
          announce(`The topic was moved to ${target.name}.`);
        }),
      );
      tools.append(select, move);
    }
  } catch {
    // Without the board list there is nothing to move to.
  }
  tools.hidden = false;
}

function refresh() {
  const who = member();
  const form = document.getElementById('reply-form');
  const signInNote = document.querySelector('[data-signin-note]');
  let lockedNote = document.querySelector('[data-locked-note]');
  if (locked() && !lockedNote) {
    lockedNote = el('p', { class: 'notice', dataset: { lockedNote: '' } }, 'This topic is locked: only moderators can reply.');
    document.getElementById('reply-heading')?.after(lockedNote);
  }
  if (lockedNote) lockedNote.hidden = !locked();
  if (signInNote) signInNote.hidden = Boolean(who);
  if (form) form.hidden = !who || (locked() && !who.isModerator);
  for (const article of posts()) renderActions(article);
}

export function start() {
  const presence = document.querySelector('[data-presence]');
  if (presence) startPresence(topicId, presence, onPresence);
  const form = document.getElementById('reply-form');
  if (form) {
    composer = setupComposer(form, {
      draftKey: `reply:${topicId}`,
      onSubmit: async ({ body, attachmentIds }) => {
        const payload = { body };
        if (attachmentIds.length) payload.attachment_ids = attachmentIds;
        const answer = await api(`${topicPath}/posts`, { method: 'POST', body: payload, auth: true, once: true });
        showReply(answer);
        return answer;
      },
    });
  }
  refresh();
  renderTools();
  window.addEventListener('forum:session', () => {
    refresh();
    renderTools();
  });
}
