// /register: sign up (through the API when it offers it, which checks the username first),
// confirm the emailed code with Cognito, and sign in.

import { api, ApiError, describe, hasRoute } from './api.js';
import { busy, showError } from './dom.js';
import { confirmSignUp, signIn, signUp } from './session.js';

export function start() {
  const form = document.querySelector('[data-register-form]');
  const confirmForm = document.querySelector('[data-confirm-form]');
  if (!form || !confirmForm) return;
  form.hidden = false;
  let account = null;

  async function finish() {
    await signIn(account.username, account.password, true);
    // A member's page exists from their first post on; the board index is where to begin.
    location.assign('/');
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const error = form.querySelector('[data-error]');
    showError(error, '');
    const data = new FormData(form);
    account = {
      username: String(data.get('username')).trim(),
      email: String(data.get('email')).trim(),
      password: String(data.get('password')),
    };
    await busy(form.querySelector('button[type="submit"]'), async () => {
      try {
        let confirmed;
        let destination = null;
        if (await hasRoute('post', '/api/accounts')) {
          const answer = await api('/api/accounts', { method: 'POST', body: account });
          confirmed = answer.confirmed;
          destination = answer.confirmation?.destination;
        } else {
          const answer = await signUp(account.username, account.email, account.password);
          confirmed = answer.UserConfirmed;
          destination = answer.CodeDeliveryDetails?.Destination;
        }
        if (confirmed) {
          await finish();
          return;
        }
        form.hidden = true;
        confirmForm.hidden = false;
        if (destination) confirmForm.querySelector('[data-confirm-note]').textContent = `We sent a confirmation code to ${destination}.`;
        confirmForm.querySelector('input').focus();
      } catch (failure) {
        showError(error, failure instanceof ApiError ? describe(failure) : failure.message);
      }
    });
  });

  confirmForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const error = confirmForm.querySelector('[data-error]');
    showError(error, '');
    const code = String(new FormData(confirmForm).get('code')).trim();
    await busy(confirmForm.querySelector('button[type="submit"]'), async () => {
      try {
        await confirmSignUp(account.username, code);
        await finish();
      } catch (failure) {
        showError(error, failure.message);
      }
    });
  });
}
