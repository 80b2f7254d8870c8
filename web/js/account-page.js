// /account: the signed-in member's settings. The page arrives the same for everyone; this fills
// it in from the member's own session: the profile (PATCH /api/me, the avatar through an upload),
// the email address and password (straight to Cognito with the access token), signing out of
// every device (GlobalSignOut), a download of everything the forum keeps about them
// (GET /api/me/export, page after page) and the account's deletion (the password again, then
// POST /api/me/deletion with the fresh token, repeated while it answers 202). No password or
// token is ever logged.

import { describe } from './api.js';
import { busy, el, showError } from './dom.js';
import {
  accountAttributes,
  changeEmail,
  changePassword,
  CognitoError,
  confirmEmail,
  forgetSession,
  member,
  signInAgain,
  signOutEverywhere,
} from './session.js';
import { asMember } from './signin.js';
import { uploadAvatar } from './uploads.js';

// Every word this page's script shows, in one place, for a catalog to replace.
export const WORDS = {
  saved: 'Saved.',
  avatarUploading: 'Uploading the picture…',
  avatarSaved: 'Your avatar is changed.',
  avatarRemoved: 'Your avatar is removed.',
  emailPending: (email, current) =>
    `We sent a code to ${email}. Until you enter it here, your address stays ${current}: you sign in with it and mail goes there.`,
  emailSame: 'That is already your address.',
  emailInvalid: 'Enter an email address such as name@example.org.',
  emailConfirmed: (email) => `Your address is now ${email}.`,
  passwordChanged: 'Your password is changed. Other devices stay signed in until they sign in again or you sign out everywhere.',
  passwordTooShort: (min) => `The new password needs at least ${min} characters.`,
  passwordTooLong: (max) => `The new password may have at most ${max} characters.`,
  passwordNeedsLower: 'The new password needs a lower case letter.',
  passwordNeedsUpper: 'The new password needs an upper case letter.',
  passwordNeedsDigit: 'The new password needs a digit.',
  passwordUnchanged: 'The new password is the one you have.',
  passwordEdges: 'The new password may not begin or end with a space.',
  signOutConfirm: 'Sign out on every device, this one included?',
  exporting: (pages) => `Gathering your data (page ${pages})…`,
  exported: 'Your data is downloaded.',
  exportLoop: 'The export did not come to an end; try again later.',
  notSignedIn: 'Sign in to do this.',
  deletePassword: 'Enter your password to delete your account.',
  deleteConfirm: (posts) =>
    posts === 'remove'
      ? 'Delete your account and remove every post of yours? This cannot be undone.'
      : 'Delete your account? Your posts stay, by “deleted member”. This cannot be undone.',
  deleting: (done) => `Deleting your account (${done} posts so far)…`,
  deleted: 'Your account is deleted.',
  deleteUnfinished: 'The deletion is not finished yet; press the button again to carry on.',
  wrongPassword: 'The password is not right.',
  signIn: 'Sign in',
  cognito: {
    NotAuthorizedException: 'The current password is not right.',
    InvalidPasswordException: 'Cognito refused the new password: it needs at least 10 characters, with upper and lower case letters and a digit.',
    LimitExceededException: 'Too many attempts. Wait a while (up to an hour), then try again.',
    TooManyRequestsException: 'Too many requests at once. Wait a moment, then try again.',
    TooManyFailedAttemptsException: 'Too many wrong attempts. Wait a while, then try again.',
    AliasExistsException: 'Another account uses that address.',
    InvalidParameterException: 'Enter an email address such as name@example.org.',
    CodeMismatchException: 'That code is not right; check the latest mail and try again.',
    ExpiredCodeException: 'That code has run out. Change the address again to get a new one.',
    NotSignedIn: 'Sign in to do this.',
  },
};

// The user pool's password policy (infra/auth.py); Cognito's own limit is 256 characters.
const PASSWORD = { min: 10, max: 256 };
const EXPORT_PAGE_LIMIT = 10_000;
// Requests one press of "Delete my account" sends while the forum answers 202 (each works for
// a few seconds: thousands of posts).
const DELETION_REQUEST_LIMIT = 200;

/** Words for a refusal from Cognito or the API. */
function say(failure, overrides = {}) {
  if (failure instanceof CognitoError) return overrides[failure.code] || WORDS.cognito[failure.code] || failure.message;
  return describe(failure);
}

export function passwordProblem(previous, proposed) {
  if (proposed.length < PASSWORD.min) return WORDS.passwordTooShort(PASSWORD.min);
  if (proposed.length > PASSWORD.max) return WORDS.passwordTooLong(PASSWORD.max);
  if (proposed !== proposed.trim()) return WORDS.passwordEdges;
  if (!/[a-z]/.test(proposed)) return WORDS.passwordNeedsLower;
  if (!/[A-Z]/.test(proposed)) return WORDS.passwordNeedsUpper;
  if (!/[0-9]/.test(proposed)) return WORDS.passwordNeedsDigit;
  if (proposed === previous) return WORDS.passwordUnchanged;
  return null;
}

function avatarView(section, url, name) {
  const preview = section.querySelector('[data-avatar-preview]');
  preview.replaceChildren(
    url
      ? el('img', { class: 'avatar', src: url, alt: '', width: 64, height: 64 })
      : el('span', { class: 'avatar initial', 'aria-hidden': 'true' }, (name || '?').slice(0, 1).toUpperCase()),
  );
  section.querySelector('[data-avatar-remove]').hidden = !url;
}

function setUpProfile(me) {
  const form = document.querySelector('[data-profile-form]');
  const error = form.querySelector('[data-error]');
  const done = form.querySelector('[data-done]');
  const name = form.querySelector('#profile-name');
  const about = form.querySelector('#profile-about');
  name.value = me.display_name || '';
  about.value = me.about || '';
  avatarView(form, me.avatar_url, me.display_name);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showError(error, '');
    done.textContent = '';
    await busy(form.querySelector('button[type="submit"]'), async () => {
      try {
        const updated = await asMember('/api/me', { method: 'PATCH', body: { display_name: name.value, about: about.value } });
        name.value = updated.display_name;
        about.value = updated.about || '';
        done.textContent = WORDS.saved;
      } catch (failure) {
        showError(error, say(failure));
      }
    });
  });

  const file = form.querySelector('[data-avatar-file]');
  const remove = form.querySelector('[data-avatar-remove]');
  const status = form.querySelector('[data-avatar-status]');
  file.addEventListener('change', async () => {
    const picked = file.files[0];
    if (!picked) return;
    showError(error, '');
    status.textContent = WORDS.avatarUploading;
    await busy(file, async () => {
      try {
        const attachment = await uploadAvatar(picked);
        const updated = await asMember('/api/me', { method: 'PATCH', body: { avatar_attachment_id: attachment.id } });
        avatarView(form, updated.avatar_url || attachment.thumb_url, updated.display_name);
        status.textContent = WORDS.avatarSaved;
      } catch (failure) {
        status.textContent = '';
        showError(error, say(failure));
      } finally {
        file.value = '';
      }
    });
  });
  remove.addEventListener('click', () =>
    busy(remove, async () => {
      showError(error, '');
      try {
        const updated = await asMember('/api/me', { method: 'PATCH', body: { avatar_attachment_id: null } });
        avatarView(form, null, updated.display_name);
        status.textContent = WORDS.avatarRemoved;
      } catch (failure) {
        showError(error, say(failure));
      }
    }),
  );
}

function setUpEmail(attributes) {
  const current = document.querySelector('[data-current-email]');
  const form = document.querySelector('[data-email-form]');
  const codeForm = document.querySelector('[data-email-code-form]');
  const pending = codeForm.querySelector('[data-email-pending]');
  const done = document.querySelector('[data-email-done]');
  let address = attributes.email || '';
  let asked = '';
  current.textContent = address;

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const error = form.querySelector('[data-error]');
    showError(error, '');
    done.textContent = '';
    const input = form.querySelector('#email-new');
    const email = input.value.trim();
    if (!input.checkValidity() || !email.includes('@')) return showError(error, WORDS.emailInvalid);
    if (email.toLowerCase() === address.toLowerCase()) return showError(error, WORDS.emailSame);
    await busy(form.querySelector('button[type="submit"]'), async () => {
      try {
        const delivery = await changeEmail(email);
        asked = email;
        pending.textContent = WORDS.emailPending(delivery?.Destination && !delivery.Destination.includes('*') ? delivery.Destination : email, address);
        codeForm.hidden = false;
        codeForm.querySelector('#email-code').focus();
      } catch (failure) {
        showError(error, say(failure));
      }
    });
  });

  codeForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const error = codeForm.querySelector('[data-error]');
    showError(error, '');
    const code = codeForm.querySelector('#email-code');
    await busy(codeForm.querySelector('button[type="submit"]'), async () => {
      try {
        await confirmEmail(code.value.trim());
        const now = await accountAttributes().catch(() => ({ email: asked }));
        address = now.email || asked;
        current.textContent = address;
        codeForm.hidden = true;
        code.value = '';
        form.reset();
        done.textContent = WORDS.emailConfirmed(address);
      } catch (failure) {
        showError(error, say(failure));
      }
    });
  });
}

function setUpPassword(who) {
  const form = document.querySelector('[data-password-form]');
  const error = form.querySelector('[data-error]');
  const done = form.querySelector('[data-done]');
  form.querySelector('[data-username]').value = who.username;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showError(error, '');
    done.textContent = '';
    const previous = form.querySelector('#password-old').value;
    const proposed = form.querySelector('#password-new').value;
    const problem = passwordProblem(previous, proposed);
    if (problem) return showError(error, problem);
    await busy(form.querySelector('button[type="submit"]'), async () => {
      try {
        await changePassword(previous, proposed);
        form.reset();
        form.querySelector('[data-username]').value = who.username;
        done.textContent = WORDS.passwordChanged;
      } catch (failure) {
        showError(error, say(failure));
      }
    });
  });
}

function setUpSignOut() {
  const button = document.querySelector('[data-sign-out-everywhere]');
  const error = button.closest('section').querySelector('[data-error]');
  button.addEventListener('click', () =>
    busy(button, async () => {
      if (!window.confirm(WORDS.signOutConfirm)) return;
      showError(error, '');
      try {
        await signOutEverywhere();
        location.assign('/');
      } catch (failure) {
        showError(error, say(failure));
      }
    }),
  );
}

/** Every page of GET /api/me/export, gathered into one document. */
export async function gatherExport(onPage = () => {}) {
  const gathered = { member: null, posts: [], uploads: [] };
  const seen = new Set();
  let cursor = null;
  for (let page = 1; page <= EXPORT_PAGE_LIMIT; page += 1) {
    onPage(page);
    const path = cursor ? `/api/me/export?cursor=${encodeURIComponent(cursor)}` : '/api/me/export';
    const answer = await asMember(path);
    gathered.member ??= answer.member ?? null;
    gathered.posts.push(...(answer.posts || []));
    gathered.uploads.push(...(answer.uploads || []));
    cursor = answer.next_cursor ?? null;
    if (cursor === null) return { ...gathered, exported_at: new Date().toISOString() };
    if (seen.has(cursor)) break;
    seen.add(cursor);
  }
  throw new Error(WORDS.exportLoop);
}

function setUpExport(who) {
  const button = document.querySelector('[data-export]');
  const section = button.closest('section');
  const error = section.querySelector('[data-error]');
  const done = section.querySelector('[data-done]');
  button.addEventListener('click', () =>
    busy(button, async () => {
      showError(error, '');
      try {
        const document_ = await gatherExport((page) => {
          done.textContent = WORDS.exporting(page);
        });
        const blob = new Blob([JSON.stringify(document_, null, 2)], { type: 'application/json' });
        const url = URL.createObjectURL(blob);
        const link = el('a', { href: url, download: `forum-export-${who.username}.json`, hidden: true });
        document.body.append(link);
        link.click();
        link.remove();
        // The download has its own copy; the address may go once it has started.
        setTimeout(() => URL.revokeObjectURL(url), 60_000);
        done.textContent = WORDS.exported;
      } catch (failure) {
        done.textContent = '';
        showError(error, say(failure));
      }
    }),
  );
}

/** POST /api/me/deletion until it is finished (200) or the limit of requests is reached. */
export async function deleteAccount(posts, onProgress = () => {}) {
  for (let request = 0; request < DELETION_REQUEST_LIMIT; request += 1) {
    const answer = await asMember('/api/me/deletion', { method: 'POST', body: { posts } });
    if (answer?.status === 'deleted') return answer;
    onProgress(answer?.posts_done ?? 0);
  }
  throw new Error(WORDS.deleteUnfinished);
}

function setUpDeletion(who) {
  const form = document.querySelector('[data-delete-form]');
  const error = form.querySelector('[data-error]');
  const done = form.querySelector('[data-done]');
  form.querySelector('[data-username]').value = who.username;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showError(error, '');
    done.textContent = '';
    const password = form.querySelector('#delete-password');
    if (!password.value) return showError(error, WORDS.deletePassword);
    const posts = form.querySelector('input[name="posts"]:checked')?.value || 'keep';
    if (!window.confirm(WORDS.deleteConfirm(posts))) return;
    await busy(form.querySelector('button[type="submit"]'), async () => {
      try {
        // The API takes only a token from a sign-in of the last few minutes: sign in again.
        await signInAgain(password.value);
        password.value = '';
        await deleteAccount(posts, (count) => {
          done.textContent = WORDS.deleting(count);
        });
        done.textContent = WORDS.deleted;
        forgetSession();
        location.assign('/');
      } catch (failure) {
        done.textContent = '';
        showError(error, say(failure, { NotAuthorizedException: WORDS.wrongPassword }));
      }
    });
  });
}

let shown = false;

async function render() {
  const guest = document.querySelector('[data-account-guest]');
  const settings = document.querySelector('[data-account-settings]');
  const who = member();
  guest.hidden = Boolean(who);
  if (!who) {
    settings.hidden = true;
    return;
  }
  if (shown) return;
  shown = true;
  try {
    const [me, attributes] = await Promise.all([asMember('/api/me'), accountAttributes()]);
    setUpProfile(me);
    setUpEmail(attributes);
    setUpPassword(who);
    setUpSignOut();
    setUpExport(who);
    setUpDeletion(who);
    settings.hidden = false;
  } catch (failure) {
    shown = false;
    guest.hidden = false;
    guest.replaceChildren(say(failure, { NotAuthorizedException: WORDS.notSignedIn }), ' ', el('a', { href: '/login?next=/account' }, WORDS.signIn));
  }
}

export function start() {
  render();
  window.addEventListener('forum:session', render);
}
