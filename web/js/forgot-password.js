// /forgot-password: ask the forum to have Cognito mail a reset code (POST /api/password-resets,
// limited per network and per name), set a new password with it (ConfirmForgotPassword, straight
// to Cognito), then sign in. Nothing here tells whether an account exists: every name gets the
// same answer, and so does a limit reached. Neither the code nor a password is logged or kept.

import { ApiError, api } from './api.js';
import { busy, showError } from './dom.js';
import { confirmForgotPassword, signIn } from './session.js';

// Every word of this page's script, in one place, for a catalog to replace.
export const WORDS = {
  noName: 'Enter your username or email address.',
  sent: 'If an account exists for that name, a code was sent to its email address. Enter it here with your new password.',
  noCode: 'Enter the code from the email.',
  codeShape: 'The code is the 6 digits in the email.',
  noPassword: 'Enter a new password.',
  weakPassword: 'The new password needs at least 10 characters, with upper and lower case letters and a digit.',
  wrongCode: 'That code is not right. Check the email, or ask for a new code.',
  expiredCode: 'That code has expired or was used already. Ask for a new code.',
  tooMany: 'Too many attempts. Wait a few minutes, then try again.',
  busy: 'Resetting a password is not possible right now; please try again in a moment.',
  unreachable: 'The sign-in service cannot be reached; check your connection.',
  failed: 'The password could not be set. Try again in a moment.',
  signInFailed: 'Your new password is set, but signing in failed: sign in with it on the sign-in page.',
};

// The pool's password policy (infra/auth.py): 10+ characters, upper and lower case, a digit.
const MIN_PASSWORD = 10;
const MAX_PASSWORD = 256;
const TOO_MANY = new Set(['LimitExceededException', 'TooManyRequestsException', 'TooManyFailedAttemptsException']);

export function passwordProblem(password) {
  if (!password) return WORDS.noPassword;
  const strong =
    password.length >= MIN_PASSWORD &&
    password.length <= MAX_PASSWORD &&
    /[a-z]/.test(password) &&
    /[A-Z]/.test(password) &&
    /[0-9]/.test(password) &&
    password.trim() === password;
  return strong ? '' : WORDS.weakPassword;
}

function resetFailure(code) {
  if (code === 'CodeMismatchException' || code === 'UserNotFoundException') return WORDS.wrongCode;
  if (code === 'ExpiredCodeException') return WORDS.expiredCode;
  if (code === 'InvalidPasswordException' || code === 'InvalidParameterException') return WORDS.weakPassword;
  if (TOO_MANY.has(code)) return WORDS.tooMany;
  if (code === 'Unreachable') return WORDS.unreachable;
  return WORDS.failed;
}

export function start() {
  const askForm = document.querySelector('[data-forgot-form]');
  const resetForm = document.querySelector('[data-reset-form]');
  if (!askForm || !resetForm) return;
  askForm.hidden = false;
  const askError = askForm.querySelector('[data-error]');
  const resetError = resetForm.querySelector('[data-error]');
  const note = resetForm.querySelector('[data-sent-note]');
  let username = '';

  // The same answer for every name, known or not; only a refusal to send at all is told apart:
  // a limit reached (429, the forum's words, the same for every name), a name that cannot be
  // one (422), the forum or Cognito out of reach.
  async function sendCode(errorAt) {
    try {
      await api('/api/password-resets', { method: 'POST', body: { name: username } });
      return true;
    } catch (failure) {
      if (!(failure instanceof ApiError)) {
        showError(errorAt, WORDS.unreachable);
        return false;
      }
      if (failure.status === 429) showError(errorAt, failure.problem.detail || WORDS.tooMany);
      else if (failure.status === 422) showError(errorAt, failure.problem.detail || WORDS.noName);
      else showError(errorAt, WORDS.busy);
      return false;
    }
  }

  askForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    showError(askError, '');
    username = String(new FormData(askForm).get('username') || '').trim();
    if (!username) {
      showError(askError, WORDS.noName);
      askForm.querySelector('input').focus();
      return;
    }
    await busy(askForm.querySelector('button[type="submit"]'), async () => {
      if (!(await sendCode(askError))) return;
      askForm.hidden = true;
      resetForm.hidden = false;
      note.textContent = WORDS.sent;
      resetForm.querySelector('input').focus();
    });
  });

  resetForm.querySelector('[data-send-again]').addEventListener('click', async (event) => {
    showError(resetError, '');
    await busy(event.currentTarget, async () => {
      if (await sendCode(resetError)) note.textContent = WORDS.sent;
    });
  });

  resetForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    showError(resetError, '');
    const data = new FormData(resetForm);
    const code = String(data.get('code') || '').replace(/\s+/g, '');
    const password = String(data.get('password') || '');
    const problem = !code ? WORDS.noCode : !/^[0-9]{6}$/.test(code) ? WORDS.codeShape : passwordProblem(password);
    if (problem) {
      showError(resetError, problem);
      return;
    }
    await busy(resetForm.querySelector('button[type="submit"]'), async () => {
      try {
        await confirmForgotPassword(username, code, password);
      } catch (failure) {
        showError(resetError, resetFailure(failure.code));
        return;
      }
      try {
        await signIn(username, password, true);
      } catch {
        showError(resetError, WORDS.signInFailed);
        return;
      }
      location.assign('/');
    });
  });
  askForm.querySelector('input').focus();
}
