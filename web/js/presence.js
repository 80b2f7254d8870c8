// "N Members and M Guests are viewing this topic.": kept live by a heartbeat twice per presence
// window (the server says when: next_beat_seconds, 150 s by default).
// Members are counted with their token; guests by a random id this tab keeps. Each answer names
// the window it counted this page in; the next beat sends it back (counted_in), so that a beat
// in a window already counted writes nothing. It is kept per topic and per viewer in this tab,
// so a reload or a return to the topic within the window is not counted again.

import { api, SignInRequired } from './api.js';
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

export function presenceText(members, guests) {
  const people = (count, one, many) => `${count} ${count === 1 ? one : many}`;
  return `${people(members, 'Member', 'Members')} and ${people(guests, 'Guest', 'Guests')} are viewing this topic.`;
}

export function startPresence(topicId, line) {
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
    const seen = await api(`${path}/member`, {
      method: 'POST',
      body: { counted_in: countedIn(topicId, who) },
      auth: true,
    });
    rememberCounted(topicId, who, seen.window);
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
    } catch {
      // The next heartbeat tries again; the line keeps its last count.
    }
  }

  beat();
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && missed) beat();
  });
  window.addEventListener('forum:session', beat);
}
