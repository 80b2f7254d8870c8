// The pages' one entry point: dates in the reader's locale, the account links, and the
// script of the page at hand (each loaded only where it is needed).

import { renderAccount } from './account.js';
import { localizeDates } from './dates.js';
import { applyOverlay } from './overlay.js';
import { start as startWatching } from './watch.js';

const scripts = {
  topic: () => import('./topic.js'),
  login: () => import('./login.js'),
  register: () => import('./register.js'),
  'new-topic': () => import('./new-topic.js'),
  member: () => import('./member.js'),
  'forgot-password': () => import('./forgot-password.js'),
  // The member's own account settings (/account).
  account: () => import('./account-page.js'),
  // What is new for the member (/unread).
  unread: () => import('./unread-page.js'),
  // The member's notifications and what they watch (issue 15).
  notifications: () => import('./notifications.js'),
  watched: () => import('./watched.js'),
};

localizeDates(document);
renderAccount();
// What is personal on this page (unread markers...), from one call: overlay.js.
applyOverlay();
const load = scripts[document.body.dataset.page];
if (load) {
  load()
    .then((module) => module.start())
    .catch((error) => console.error('The page script failed:', error));
}
// Watch / stop watching / mute, on topic and board pages, beside the page's own script (in
// every bundle: a small module, and main.js's dynamic imports are its page table alone).
if (['topic', 'board'].includes(document.body.dataset.page)) {
  startWatching().catch((error) => console.error('The watch buttons failed:', error));
}
