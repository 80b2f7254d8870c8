// /login: sign in, then back to where the person came from (a path of this site only).

import { busy, el, showError } from './dom.js';
import { member, signIn } from './session.js';

function destination() {
  const next = document.body.dataset.next || '/';
  if (!next.startsWith('/')) return '/';
  // Resolved as the browser will follow it: tabs and line breaks are dropped and "\\" read as
  // "/", so "/\t/host" leads to another site although it starts with a single "/".
  let url;
  try {
    url = new URL(next, location.origin);
  } catch {
    return '/';
  }
  return url.origin === location.origin ? url.pathname + url.search + url.hash : '/';
}

export function start() {
  const form = document.querySelector('[data-login-form]');
  if (!form) return;
  form.hidden = false;
  const error = form.querySelector('[data-error]');
  const who = member();
  if (who) {
    form.before(el('p', { class: 'notice' }, `You are signed in as ${who.username}. `, el('a', { href: destination() }, 'Continue')));
  }
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showError(error, '');
    const data = new FormData(form);
    await busy(form.querySelector('button[type="submit"]'), async () => {
      try {
        await signIn(String(data.get('username')).trim(), String(data.get('password')), data.get('remember') === 'on');
        location.assign(destination());
      } catch (failure) {
        const known = {
          NotAuthorizedException: 'The username or password is not right.',
          UserNotFoundException: 'The username or password is not right.',
          UserNotConfirmedException: 'This account is not confirmed yet: enter the code from your email on the Register page.',
        };
        showError(error, known[failure.code] || failure.message);
      }
    });
  });
  form.querySelector('input')?.focus();
}
