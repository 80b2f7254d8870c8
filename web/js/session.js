// Members' sessions with Cognito: confirming a sign-up, sign-in (USER_PASSWORD_AUTH), refresh,
// sign-out. Signing up itself goes through the API (register.js).
// Tokens stay in this browser: localStorage when "keep me signed in", else sessionStorage.

import { config } from './config.js';

const KEY = 'forum.session';
// Refresh this many seconds before the access token runs out.
const MARGIN_SECONDS = 60;

export class CognitoError extends Error {
  constructor(code, message) {
    super(message || code);
    this.code = code;
  }
}

// Calls made with a member's access token name no client (Cognito takes the token alone).
async function cognito(action, body, { client = true } = {}) {
  const settings = (await config()).cognito;
  const endpoint = settings.endpoint.endsWith('/') ? settings.endpoint : `${settings.endpoint}/`;
  let response;
  try {
    response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': `AWSCognitoIdentityProviderService.${action}`,
      },
      body: JSON.stringify(client ? { ClientId: settings.client_id, ...body } : body),
    });
  } catch {
    throw new CognitoError('Unreachable', 'The sign-in service cannot be reached; check your connection.');
  }
  const text = await response.text();
  let data = {};
  try {
    data = text ? JSON.parse(text) : {};
  } catch {
    data = {};
  }
  if (!response.ok) {
    const code = String(data.__type || 'Error').split('#').pop();
    throw new CognitoError(code, data.message || data.Message || `Sign-in service error (${response.status}).`);
  }
  return data;
}

export function decodeToken(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const padded = part + '='.repeat((4 - (part.length % 4)) % 4);
    const bytes = Uint8Array.from(atob(padded), (char) => char.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
}

function read() {
  for (const storage of [localStorage, sessionStorage]) {
    const raw = storage.getItem(KEY);
    if (!raw) continue;
    try {
      return JSON.parse(raw);
    } catch {
      storage.removeItem(KEY);
    }
  }
  return null;
}

function announce() {
  window.dispatchEvent(new CustomEvent('forum:session'));
}

function write(session) {
  localStorage.removeItem(KEY);
  sessionStorage.removeItem(KEY);
  if (session) (session.remember ? localStorage : sessionStorage).setItem(KEY, JSON.stringify(session));
  announce();
}

function fromResult(result, remember, refreshToken) {
  const claims = decodeToken(result.IdToken) || {};
  const expires = Number(claims.exp) || Math.floor(Date.now() / 1000) + Number(result.ExpiresIn || 3600);
  return {
    id: result.IdToken,
    access: result.AccessToken,
    refresh: result.RefreshToken || refreshToken,
    expires,
    remember,
  };
}

// Other tabs sign in and out too.
window.addEventListener('storage', (event) => {
  if (event.key === KEY || event.key === null) announce();
});

/** The signed-in member from the ID token's claims (null for a guest). */
export function member() {
  const session = read();
  const claims = session && decodeToken(session.id);
  if (!claims) return null;
  let groups = claims['cognito:groups'] || [];
  if (typeof groups === 'string') groups = groups.replace(/[[\]]/g, '').split(/[\s,]+/).filter(Boolean);
  const isAdmin = groups.includes('admins');
  return {
    id: claims.sub,
    username: claims['cognito:username'] || claims.username,
    groups,
    isAdmin,
    isModerator: isAdmin || groups.includes('moderators'),
  };
}

export async function signIn(username, password, remember = true) {
  const answer = await cognito('InitiateAuth', {
    AuthFlow: 'USER_PASSWORD_AUTH',
    AuthParameters: { USERNAME: username, PASSWORD: password },
  });
  if (!answer.AuthenticationResult) {
    throw new CognitoError(answer.ChallengeName || 'Challenge', 'This account needs a sign-in step the forum does not offer yet.');
  }
  write(fromResult(answer.AuthenticationResult, remember));
  return member();
}

let refreshing = null;

/** A valid access token, refreshed when it is about to run out; null when signed out. */
export async function accessToken({ force = false } = {}) {
  const session = read();
  if (!session) return null;
  if (!force && session.expires - Date.now() / 1000 > MARGIN_SECONDS) return session.access;
  if (!session.refresh) {
    write(null);
    return null;
  }
  refreshing ??= cognito('InitiateAuth', {
    AuthFlow: 'REFRESH_TOKEN_AUTH',
    AuthParameters: { REFRESH_TOKEN: session.refresh },
  })
    .then((answer) => {
      write(fromResult(answer.AuthenticationResult, session.remember, session.refresh));
      return read().access;
    })
    .catch((error) => {
      if (error instanceof CognitoError && error.code !== 'Unreachable') {
        write(null);
        return null;
      }
      throw error;
    })
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

export async function signOut() {
  const session = read();
  write(null);
  if (session?.refresh) {
    try {
      await cognito('RevokeToken', { Token: session.refresh });
    } catch {
      // Signed out here either way; the refresh token runs out by itself.
    }
  }
}

export async function confirmSignUp(username, code) {
  return cognito('ConfirmSignUp', { Username: username, ConfirmationCode: code });
}

// --- a forgotten password (forgot-password.js) ---
// The code is asked for through the API (POST /api/password-resets, which limits how often);
// setting the new password with it goes straight to Cognito.

export async function confirmForgotPassword(username, code, password) {
  return cognito('ConfirmForgotPassword', { Username: username, ConfirmationCode: code, Password: password });
}

// --- The member's own account (/account, account-page.js): calls made with their access token.

async function asSignedIn(action, body = {}) {
  const token = await accessToken();
  if (!token) throw new CognitoError('NotSignedIn', 'Sign in to do this.');
  return cognito(action, { AccessToken: token, ...body }, { client: false });
}

/** The member's attributes as Cognito keeps them ({email, email_verified, ...}). */
export async function accountAttributes() {
  const answer = await asSignedIn('GetUser');
  return Object.fromEntries((answer.UserAttributes || []).map(({ Name, Value }) => [Name, Value]));
}

export async function changePassword(previous, proposed) {
  await asSignedIn('ChangePassword', { PreviousPassword: previous, ProposedPassword: proposed });
}

/** Ask for a new email address: Cognito mails a code there; the old address stays until then. */
export async function changeEmail(email) {
  const answer = await asSignedIn('UpdateUserAttributes', { UserAttributes: [{ Name: 'email', Value: email }] });
  return (answer.CodeDeliveryDetailsList || [])[0] || null;
}

export async function confirmEmail(code) {
  await asSignedIn('VerifyUserAttribute', { AttributeName: 'email', Code: code });
}

/** Sign in again as the signed-in member, with their password, keeping where the session is
 * kept: an action that asks for the password (deleting the account) sends the fresh token. */
export async function signInAgain(password) {
  const session = read();
  const who = member();
  if (!session || !who) throw new CognitoError('NotSignedIn', 'Sign in to do this.');
  return signIn(who.username, password, session.remember);
}

/** This browser forgets the member's tokens (their account is gone: nothing to revoke). */
export function forgetSession() {
  write(null);
}

/** Every session of the member's ends (their refresh tokens stop working); this one too. */
export async function signOutEverywhere() {
  await asSignedIn('GlobalSignOut');
  write(null);
}
