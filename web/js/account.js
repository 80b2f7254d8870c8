// The header's account links: "Sign in · Register" for guests, the member's name and
// "Sign out" once signed in, with a link to their account settings. The page itself is the same
// for everyone; this is the only change.

import { el } from './dom.js';
import { NOTIFICATIONS_KEY } from './overlay.js';
import { member, signOut } from './session.js';

function here() {
  return location.pathname + location.search + location.hash;
}

export function renderAccount() {
  const nav = document.querySelector('[data-account]');
  if (!nav) return;
  const who = member();
  if (!who) {
    const onForms = ['/login', '/register'].includes(location.pathname);
    const login = el('a', { href: onForms ? '/login' : `/login?next=${encodeURIComponent(here())}` }, 'Sign in');
    nav.replaceChildren(login, el('a', { href: '/register' }, 'Register'));
    return;
  }
  const out = el('button', { type: 'button', class: 'link', dataset: { signOut: '' } }, 'Sign out');
  out.addEventListener('click', async () => {
    out.disabled = true;
    await signOut();
  });
  nav.replaceChildren(
    el('span', { class: 'who' }, 'Signed in as ', el('a', { href: `/u/${encodeURIComponent(who.username)}` }, who.username)),
    // Its count comes with the page's overlay (unread.js).
    el('a', { href: '/unread', dataset: { unreadLink: '' } }, 'Unread'),
    notificationsLink(),
    settingsLink(),
    out,
  );
  showUnreadCount();
}

// The member's notifications (/notifications), with how many are unread.
function notificationsLink() {
  const here = location.pathname === '/notifications';
  return el(
    'a',
    { href: '/notifications', 'aria-current': here ? 'page' : undefined, dataset: { notificationsLink: '' } },
    'Notifications',
    el('span', { class: 'count', dataset: { unreadCount: '' }, hidden: true }),
  );
}

// The count comes with the page's overlay (overlay.js asks for it once a minute) and is kept
// for the session's other pages; marking notifications read forgets it, so this page and the
// next ask again at once.

function showCount(unread) {
  const count = document.querySelector('[data-unread-count]');
  if (!count || !Number.isInteger(unread)) return;
  count.textContent = unread > 0 ? ` (${unread >= 100 ? '99+' : unread})` : '';
  count.hidden = unread === 0;
  count.closest('a')?.setAttribute('aria-label', unread > 0 ? `Notifications, ${unread} unread` : 'Notifications');
}

function keptCount() {
  const kept = Number.parseInt(sessionStorage.getItem(NOTIFICATIONS_KEY) ?? '', 10);
  return Number.isInteger(kept) ? kept : null;
}

/** The overlay's notifications section: {unread}. */
export function apply({ unread }) {
  sessionStorage.setItem(NOTIFICATIONS_KEY, String(unread));
  showCount(unread);
}

function showUnreadCount() {
  showCount(keptCount());
}

async function refreshUnreadCount() {
  sessionStorage.removeItem(NOTIFICATIONS_KEY);
  try {
    const { api } = await import('./api.js');
    apply(await api('/api/me/notifications/unread', { auth: true }));
  } catch {
    // The count is a nicety; the link works without it.
  }
}

// The member's own account settings (/account), beside their name.
function settingsLink() {
  const here = location.pathname === '/account';
  return el('a', { href: '/account', 'aria-current': here ? 'page' : undefined, dataset: { settingsLink: '' } }, 'Account');
}

window.addEventListener('forum:session', renderAccount);
window.addEventListener('forum:notifications', refreshUnreadCount);
