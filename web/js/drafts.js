// Drafts: what someone is writing, kept in this browser until it is posted.

const PREFIX = 'forum.draft:';

export function loadDraft(key) {
  try {
    return JSON.parse(localStorage.getItem(PREFIX + key) || 'null');
  } catch {
    return null;
  }
}

export function saveDraft(key, draft) {
  const empty = !draft.body?.trim() && !draft.title?.trim() && !draft.attachments?.length;
  try {
    if (empty) localStorage.removeItem(PREFIX + key);
    else localStorage.setItem(PREFIX + key, JSON.stringify({ ...draft, saved_at: Date.now() }));
  } catch {
    // Storage full or refused: the text is still in the form.
  }
}

export function clearDraft(key) {
  localStorage.removeItem(PREFIX + key);
}
