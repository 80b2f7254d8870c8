// Watch, stop watching or mute from a topic's page, watch a board from its page. The pages are
// the same for everyone; for a signed-in member this adds the buttons, in the state their own
// GET /api/{topics|boards}/{id}/watch gives.

import { describe } from './api.js';
import { busy, el } from './dom.js';
import { member } from './session.js';
import { asMember } from './signin.js';

// Every word this script shows, in one place, for a catalog to replace.
export const WORDS = {
  watch: 'Watch',
  stop: 'Stop watching',
  mute: 'Mute',
  unmute: 'Unmute',
  watchingTopic: 'You watch this topic: new replies are in your notifications.',
  mutedTopic: 'You muted this topic: nothing from it reaches you.',
  watchingBoard: 'You watch this board: new topics are in your notifications.',
  none: '',
};

function target() {
  const page = document.body.dataset;
  if (page.page === 'topic' && page.topicId) {
    return { path: `/api/topics/${encodeURIComponent(page.topicId)}/watch`, topic: true, anchor: document.querySelector('.topic-header') };
  }
  if (page.page === 'board' && page.boardId) {
    return { path: `/api/boards/${encodeURIComponent(page.boardId)}/watch`, topic: false, anchor: document.querySelector('.heading-row') };
  }
  return null;
}

export async function start() {
  const where = target();
  if (!where || !where.anchor || !member()) return;
  const tools = el('p', { class: 'watch-tools', dataset: { watchTools: '' } });
  const status = el('span', { class: 'hint', role: 'status', dataset: { watchStatus: '' } });
  where.anchor.append(tools);
  let level = null;
  const set = async (next) => {
    const answer = next ? await asMember(where.path, { method: 'PUT', body: where.topic ? { level: next } : undefined }) : await asMember(where.path, { method: 'DELETE' });
    level = answer ? answer.level : null;
    render();
  };
  const button = (label, next) => {
    const element = el('button', { type: 'button', class: 'button', dataset: { watchAction: next || 'stop' } }, label);
    element.addEventListener('click', () => busy(element, () => set(next).catch((error) => (status.textContent = describe(error)))));
    return element;
  };
  function render() {
    const buttons = [];
    if (level === 'watching') buttons.push(button(WORDS.stop, null));
    else if (level !== 'muted') buttons.push(button(WORDS.watch, 'watching'));
    if (where.topic) buttons.push(level === 'muted' ? button(WORDS.unmute, null) : button(WORDS.mute, 'muted'));
    status.textContent =
      level === 'watching' ? (where.topic ? WORDS.watchingTopic : WORDS.watchingBoard) : level === 'muted' ? WORDS.mutedTopic : WORDS.none;
    tools.replaceChildren(...buttons, ' ', status);
  }
  try {
    level = (await asMember(where.path)).level;
  } catch (error) {
    status.textContent = describe(error);
  }
  render();
}
