// "N Members and M Guests are viewing this topic.": kept live by a heartbeat twice per presence
// window (the server says when: next_beat_seconds, 150 s by default).
// Members are counted with their token; guests by a random id this tab keeps. Each answer names
// the window it counted this page in; the next beat sends it back (counted_in), so that a beat
// in a window already counted writes nothing. It is kept per topic and per viewer in this tab,
// so a reload or a return to the topic within the window is not counted again.
// A member's beat also carries how far the page goes (`read`, see below), and every answer names
// the topic's newest post (`last_number`), which topic.js turns into "N new replies".

import { api, SignInRequired } from './api.js';
import { overlay } from './overlay.js';
import { member } from './session.js';

const FIRST_GUESS_MS = 150_000;
const VIEWER_KEY = 'forum.viewer';

function viewerId() {
  let id = sessionStorage.getItem(VIEWER_KEY);
  if (!id) {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    id = btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    sessionStorage.setItem(VIEWER_KEY, id);
  }
  return id;
}

function countedKey(topicId, who) {
  return `forum.counted.${who}.${topicId}`;
}

function countedIn(topicId, who) {
  const value = Number.parseInt(sessionStorage.getItem(countedKey(topicId, who)) || '', 10);
  // 0: not counted yet (no window is that old).
  return Number.isInteger(value) && value >= 0 ? value : 0;
}

function rememberCounted(topicId, who, window) {
  if (Number.isInteger(window) && window >= 0) sessionStorage.setItem(countedKey(topicId, who), String(window));
}

// A member's beat also says how far this page goes (`read`: its highest post number), when that
// is further than they had read (the overlay says how far, or the beat sent before): so a page
// viewed moves their read position at most once, and not at all when it shows nothing new.
function readKey(topicId, who) {
  return `forum.read.${who}.${topicId}`;
}

function highestShown() {
  const numbers = [...document.querySelectorAll('[data-posts] article.post')].map((article) => Number(article.dataset.number) || 0);
  return numbers.length ? Math.max(...numbers) : 0;
}

async function knownRead(topicId, who) {
  const kept = Number.parseInt(sessionStorage.getItem(readKey(topicId, who)) || '', 10) || 0;
  let fromOverlay = 0;
  try {
    // Waits for the page's overlay (one call per page): it says how far the member had read.
    const answer = await overlay();
    fromOverlay = answer?.unread?.topic?.read || 0;
  } catch {
    fromOverlay = 0;
  }
  return Math.max(kept, fromOverlay);
}

export function presenceText(members, guests) {
  const people = (count, one, many) => `${count} ${count === 1 ? one : many}`;
  return `${people(members, 'Member', 'Members')} and ${people(guests, 'Guest', 'Guests')} are viewing this topic.`;
}

/** `onAnswer(seen)` hears every answer (its `last_number` is the topic's newest post). */
export function startPresence(topicId, line, onAnswer = () => {}) {
  const path = `/api/topics/${encodeURIComponent(topicId)}/heartbeat`;
  let missed = false;

  async function asGuest() {
    const seen = await api(path, {
      method: 'POST',
      body: { viewer_id: viewerId(), counted_in: countedIn(topicId, 'guest') },
    });
    rememberCounted(topicId, 'guest', seen.window);
    return seen;
  }

  async function asMember(who) {
    const body = { counted_in: countedIn(topicId, who) };
    const shown = highestShown();
    if (shown > (await knownRead(topicId, who))) body.read = shown;
    const seen = await api(`${path}/member`, { method: 'POST', body, auth: true });
    rememberCounted(topicId, who, seen.window);
    if (body.read) sessionStorage.setItem(readKey(topicId, who), String(body.read));
    return seen;
  }

  let everyMs = FIRST_GUESS_MS;
  let timer = null;

  async function beat() {
    clearTimeout(timer);
    try {
      await beatNow();
    } finally {
      // One timer, however many beats overlapped (a session change during a beat).
      clearTimeout(timer);
      timer = setTimeout(beat, everyMs);
    }
  }

  async function beatNow() {
    if (document.hidden) {
      missed = true;
      return;
    }
    missed = false;
    try {
      let seen;
      const signedIn = member();
      if (signedIn) {
        try {
          seen = await asMember(`member-${signedIn.id}`);
        } catch (failure) {
          if (!(failure instanceof SignInRequired)) throw failure;
          seen = await asGuest();
        }
      } else {
        seen = await asGuest();
      }
      line.textContent = presenceText(seen.members, seen.guests);
      line.dataset.members = seen.members;
      line.dataset.guests = seen.guests;
      if (Number.isInteger(seen.next_beat_seconds) && seen.next_beat_seconds > 0) everyMs = seen.next_beat_seconds * 1000;
      onAnswer(seen);
    } catch {
      // The next heartbeat tries again; the line keeps its last count.
    }
  }

  beat();
  // Live replies shown in place move the read position at the next beat; this sends it now.
  window.addEventListener('forum:posts-shown', beat);
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && missed) beat();
  });
  window.addEventListener('forum:session', beat);
}
