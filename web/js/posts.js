// A post as the page shows it, built from the API's JSON for a reply that was just written.
// Every text goes in as text; the body is the server's sanitized body_html.

import { timeElement } from './dates.js';
import { el } from './dom.js';

const ROLE_LABELS = { admin: 'Administrator', moderator: 'Moderator' };

export function attachmentList(attachments) {
  const shown = (attachments || []).filter((item) => item.thumb_url);
  if (!shown.length) return null;
  return el(
    'ul',
    { class: 'attachments', 'aria-label': 'Attached images' },
    shown.map((item) =>
      el('li', {}, el('a', { href: item.display_url || item.thumb_url }, el('img', { src: item.thumb_url, alt: item.alt || item.filename || 'Attached image', loading: 'lazy' }))),
    ),
  );
}

export function editedLine(line, post) {
  if (!post.edited_at) return;
  line.replaceChildren('Last edit: ', timeElement(post.edited_at), post.edited_by ? ` by ${post.edited_by.name}` : '');
  line.hidden = false;
}

export function postElement(post, url) {
  const card = post.author_card || post.author || {};
  const username = card.name || post.author.name;
  const name = card.display_name || username;
  const number = post.number;
  const avatar = card.avatar_url
    ? el('img', { class: 'avatar', src: card.avatar_url, alt: '', width: 64, height: 64 })
    : el('span', { class: 'avatar initial', 'aria-hidden': 'true' }, (name[0] || '?').toUpperCase());
  const body = el('div', { class: 'body', dataset: { body: '' } });
  // Sanitized by the server when the post was written (forum.markup): the one HTML inserted.
  body.innerHTML = post.body_html;
  const edited = el('p', { class: 'edited', hidden: true, dataset: { edited: '' } });
  editedLine(edited, post);
  const article = el(
    'article',
    {
      class: 'post',
      id: `msg${number}`,
      'aria-labelledby': `msg${number}-heading`,
      dataset: { number: String(number), version: String(post.version), authorId: post.author.id, author: username },
    },
    el(
      'aside',
      { class: 'author' },
      avatar,
      el('p', { class: 'name' }, el('a', { href: `/u/${encodeURIComponent(username)}` }, name)),
      ROLE_LABELS[card.role] ? el('span', { class: 'role' }, ROLE_LABELS[card.role]) : null,
      Number.isInteger(card.post_count) ? el('p', { class: 'post-count' }, `Posts: ${card.post_count.toLocaleString()}`) : null,
    ),
    el(
      'div',
      { class: 'post-main' },
      el(
        'header',
        { class: 'post-meta' },
        el('h2', { class: 'post-heading', id: `msg${number}-heading` }, el('a', { href: url, 'aria-label': `Post #${number} by ${name}` }, `#${number}`)),
        timeElement(post.created_at),
      ),
      body,
      attachmentList(post.attachments),
      edited,
      el('div', { class: 'post-actions', dataset: { actions: '' } }),
    ),
  );
  return el('li', {}, article);
}

export function markRemoved(article) {
  article.dataset.removed = 'true';
  article.classList.add('removed');
  const body = article.querySelector('[data-body]');
  body?.replaceWith(el('p', { class: 'body removed-note' }, 'This post was removed.'));
  article.querySelector('.attachments')?.remove();
  article.querySelector('[data-actions]')?.replaceChildren();
}
