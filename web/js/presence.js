// "N Members and M Guests are viewing this topic.": kept live by a heartbeat twice per presence
// window (the server says when: next_beat_seconds, 150 s by default).
// Members are counted with their token; guests by a random id this tab keeps.

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

export function presenceText(members, guests) {
  const people = (count, one, many) => `${count} ${count === 1 ? one : many}`;
  return `${people(members, 'Member', 'Members')} and ${people(guests, 'Guest', 'Guests')} are viewing this topic.`;
}

export function startPresence(topicId, line) {
  const path = `/api/topics/${encodeURIComponent(topicId)}/heartbeat`;
  let missed = false;

  async function asGuest() {
    return api(path, { method: 'POST', body: { viewer_id: viewerId() } });
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
      if (member()) {
        try {
          seen = await api(`${path}/member`, { method: 'POST', body: {}, auth: true });
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
