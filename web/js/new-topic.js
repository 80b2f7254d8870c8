// /new-topic?board=…: start a topic; its page opens once it is written.

import { api } from './api.js';
import { setupComposer } from './composer.js';
import { member } from './session.js';

export function start() {
  const form = document.getElementById('topic-form');
  const note = document.querySelector('[data-signin-note]');
  const boardId = document.body.dataset.boardId;
  if (!form || !boardId) return;
  const refresh = () => {
    const who = member();
    if (note) note.hidden = Boolean(who);
    form.hidden = !who;
  };
  refresh();
  window.addEventListener('forum:session', refresh);
  const composer = setupComposer(form, {
    draftKey: `topic:${boardId}`,
    onSubmit: async ({ title, body, attachmentIds }) => {
      const payload = { title, body };
      if (attachmentIds.length) payload.attachment_ids = attachmentIds;
      const answer = await api(`/api/boards/${encodeURIComponent(boardId)}/topics`, { method: 'POST', body: payload, auth: true, once: true });
      location.assign(`/t/${encodeURIComponent(answer.topic.id)}`);
      return answer;
    },
  });
  if (!form.hidden) composer.focus();
}
