// The composer: Markdown with a live preview rendered by the server's own renderer (what you
// see is what gets posted), a draft that survives reloads and expired sessions, and images.

import { api, describe, SignInRequired } from './api.js';
import { showError } from './dom.js';
import { clearDraft, loadDraft, saveDraft } from './drafts.js';
import { askToSignIn } from './signin.js';
import { setupUploads } from './uploads.js';

const PREVIEW_DELAY = 350;
const DRAFT_DELAY = 250;

function debounce(action, delay) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => action(...args), delay);
  };
}

export function setupComposer(form, { draftKey, onSubmit }) {
  const body = form.querySelector('[data-body]');
  const title = form.querySelector('[data-title]');
  const preview = form.querySelector('[data-preview]');
  const error = form.querySelector('[data-error]');
  const submit = form.querySelector('[data-submit]');
  const draftState = form.querySelector('[data-draft-state]');
  const uploads = setupUploads(form, () => storeDraft());

  let previewed = null;
  let sequence = 0;

  function current() {
    return { title: title ? title.value : undefined, body: body.value, attachments: uploads.saved() };
  }

  function storeDraft() {
    saveDraft(draftKey, current());
    if (draftState) draftState.textContent = body.value.trim() ? 'Draft saved in this browser.' : '';
  }

  async function renderPreview() {
    const text = body.value;
    if (text === previewed) return;
    previewed = text;
    const mine = ++sequence;
    if (!text.trim()) {
      preview.replaceChildren();
      return;
    }
    try {
      const answer = await api('/api/preview', { method: 'POST', body: { body: text } });
      if (mine !== sequence) return;
      // The server's sanitized rendering (forum.markup), exactly as a post will show it.
      preview.innerHTML = answer.body_html;
    } catch (failure) {
      if (mine !== sequence) return;
      preview.replaceChildren(document.createTextNode(describe(failure)));
    }
  }

  const saveSoon = debounce(storeDraft, DRAFT_DELAY);
  const previewSoon = debounce(renderPreview, PREVIEW_DELAY);

  const draft = loadDraft(draftKey);
  if (draft) {
    body.value = draft.body || '';
    if (title && draft.title) title.value = draft.title;
    uploads.restore(draft.attachments || []);
    if (draftState && body.value.trim()) draftState.textContent = 'Your draft was restored.';
  }
  if (body.value.trim()) renderPreview();

  body.addEventListener('input', () => {
    saveSoon();
    previewSoon();
  });
  title?.addEventListener('input', saveSoon);

  async function send() {
    const values = current();
    values.attachmentIds = uploads.readyIds();
    return onSubmit(values);
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showError(error, '');
    if (title && !title.value.trim()) {
      showError(error, 'Give the topic a subject.');
      title.focus();
      return;
    }
    if (!body.value.trim()) {
      showError(error, 'Write something first.');
      body.focus();
      return;
    }
    if (uploads.pending()) {
      showError(error, 'Wait until the images have finished uploading.');
      return;
    }
    storeDraft();
    submit.disabled = true;
    try {
      let result;
      try {
        result = await send();
      } catch (failure) {
        if (!(failure instanceof SignInRequired)) throw failure;
        // The session ran out while writing: sign in here; the draft stays saved meanwhile.
        if (!(await askToSignIn())) {
          showError(error, 'You are not signed in. Your draft is kept in this browser; sign in to post it.');
          return;
        }
        result = await send();
      }
      clearDraft(draftKey);
      body.value = '';
      if (title) title.value = '';
      previewed = null;
      preview.replaceChildren();
      uploads.clear();
      if (draftState) draftState.textContent = '';
      return result;
    } catch (failure) {
      showError(error, failure instanceof SignInRequired ? 'Sign in to post; your draft is kept.' : describe(failure));
    } finally {
      submit.disabled = false;
    }
  });

  return {
    insert(text) {
      const before = body.value.trimEnd();
      body.value = before ? `${before}\n\n${text}` : text;
      saveSoon();
      previewSoon();
      body.focus();
      body.setSelectionRange(body.value.length, body.value.length);
    },
    focus() {
      (title && !title.value ? title : body).focus();
    },
  };
}
