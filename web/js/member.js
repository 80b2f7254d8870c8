// /u/{username}: a member's own profile can be edited here; moderators may ban and unban.

import { describe, hasRoute } from './api.js';
import { busy, el, showError } from './dom.js';
import { member } from './session.js';
import { asMember } from './signin.js';

const username = document.body.dataset.username;

async function editProfile(tools) {
  const me = await asMember('/api/me');
  const error = el('p', { class: 'form-error', role: 'alert', hidden: true });
  const name = el('input', { id: 'profile-name', type: 'text', maxlength: 40, value: me.display_name, required: true });
  const about = el('textarea', { id: 'profile-about', rows: 5, maxlength: 1000, value: me.about || '' });
  const save = el('button', { type: 'submit', class: 'button primary' }, 'Save profile');
  const form = el(
    'form',
    { class: 'stack edit-form' },
    el('p', { class: 'field' }, el('label', { for: 'profile-name' }, 'Display name'), name),
    el('p', { class: 'field' }, el('label', { for: 'profile-about' }, 'About you (Markdown)'), about),
    error,
    el('p', { class: 'form-actions' }, save),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    await busy(save, async () => {
      try {
        const updated = await asMember('/api/me', { method: 'PATCH', body: { display_name: name.value, about: about.value } });
        document.getElementById('profile-heading').textContent = updated.display_name;
        let shown = document.querySelector('.profile .about');
        if (!shown) {
          shown = el('div', { class: 'body about' });
          tools.before(shown);
        }
        // The server's sanitized rendering of the about text.
        shown.innerHTML = updated.about_html;
        form.remove();
      } catch (failure) {
        showError(error, describe(failure));
      }
    });
  });
  tools.after(form);
  name.focus();
}

async function moderate(tools) {
  if (!(await hasRoute('post', '/api/users/{username}/ban'))) return;
  const path = `/api/users/${encodeURIComponent(username)}/ban`;
  const ban = el('button', { type: 'button', class: 'button danger' }, 'Ban from writing');
  const unban = el('button', { type: 'button', class: 'button' }, 'Lift ban');
  const result = el('p', { role: 'status', class: 'hint' });
  ban.addEventListener('click', () =>
    busy(ban, async () => {
      const reason = window.prompt(`Why is ${username} banned? (shown to them)`);
      if (!reason) return;
      try {
        await asMember(path, { method: 'POST', body: { reason } });
        result.textContent = `${username} is banned from writing.`;
      } catch (failure) {
        result.textContent = describe(failure);
      }
    }),
  );
  unban.addEventListener('click', () =>
    busy(unban, async () => {
      try {
        await asMember(path, { method: 'DELETE' });
        result.textContent = `${username} may write again.`;
      } catch (failure) {
        result.textContent = describe(failure);
      }
    }),
  );
  tools.append(ban, unban, result);
  tools.hidden = false;
}

async function render() {
  const tools = document.querySelector('[data-profile-tools]');
  if (!tools) return;
  tools.replaceChildren();
  tools.hidden = true;
  const who = member();
  if (!who) return;
  if (who.username === username && (await hasRoute('patch', '/api/me'))) {
    const button = el('button', { type: 'button', class: 'button' }, 'Edit profile');
    button.addEventListener('click', () =>
      busy(button, () => editProfile(tools).catch((failure) => tools.append(document.createTextNode(describe(failure))))),
    );
    tools.append(button);
    tools.hidden = false;
  } else if (who.isModerator) {
    await moderate(tools);
  }
}

export function start() {
  render();
  window.addEventListener('forum:session', render);
}
