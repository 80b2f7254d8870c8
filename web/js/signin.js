// Signing in without leaving the page, when an action finds the session missing or expired.
// Whatever the person was writing stays where it is (and in the saved draft).

import { api, SignInRequired } from './api.js';
import { el, showError, busy } from './dom.js';
import { signIn } from './session.js';

export function askToSignIn(reason = 'Your session has ended. Sign in again to continue; what you wrote is kept.') {
  return new Promise((resolve) => {
    const error = el('p', { class: 'form-error', role: 'alert', hidden: true });
    const username = el('input', { id: 'dialog-username', name: 'username', type: 'text', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' });
    const password = el('input', { id: 'dialog-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
    const submit = el('button', { type: 'submit', class: 'button primary' }, 'Sign in');
    const cancel = el('button', { type: 'button', class: 'button' }, 'Cancel');
    const form = el(
      'form',
      { class: 'stack', method: 'dialog' },
      el('h2', { id: 'dialog-heading' }, 'Sign in to continue'),
      el('p', {}, reason),
      el('p', { class: 'field' }, el('label', { for: 'dialog-username' }, 'Username or email'), username),
      el('p', { class: 'field' }, el('label', { for: 'dialog-password' }, 'Password'), password),
      error,
      el('p', { class: 'form-actions' }, submit, cancel),
    );
    const dialog = el('dialog', { 'aria-labelledby': 'dialog-heading', dataset: { signinDialog: '' } }, form);
    let signedIn = false;
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      showError(error, '');
      await busy(submit, async () => {
        try {
          await signIn(username.value.trim(), password.value, true);
          signedIn = true;
          dialog.close();
        } catch (failure) {
          showError(error, failure.message || 'Signing in failed.');
        }
      });
    });
    cancel.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(signedIn);
    });
    document.body.append(dialog);
    dialog.showModal();
    username.focus();
  });
}

/** Call the API as a member; a missing or expired session asks to sign in, then tries again. */
export async function asMember(path, options = {}) {
  try {
    return await api(path, { ...options, auth: true });
  } catch (error) {
    if (!(error instanceof SignInRequired)) throw error;
    if (!(await askToSignIn())) throw error;
    return api(path, { ...options, auth: true });
  }
}
