// /register: sign up through the API (the only way in: it checks the username and the limits,
// and Cognito's pre sign-up trigger refuses a SignUp made around it), confirm the emailed code
// with Cognito, and sign in.

import { api, ApiError, describe } from './api.js';
import { busy, showError } from './dom.js';
import { confirmSignUp, signIn } from './session.js';

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
        const answer = await api('/api/accounts', { method: 'POST', body: account });
        const destination = answer.confirmation?.destination;
        if (answer.confirmed) {
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
