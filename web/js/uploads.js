// Images in the composer: pick or drop them, watch them upload straight to S3 (a presigned
// POST from the API), and see the thumbnail once the attachment is ready. Offered only when the
// API has the upload routes.

import { api, describe, hasRoute } from './api.js';
import { config } from './config.js';
import { el } from './dom.js';
import { member } from './session.js';
import { asMember } from './signin.js';

const ACCEPTED = ['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/heic', 'image/heif'];
const POLL_MS = 1000;
const POLL_LIMIT = 90;

export async function uploadsOffered() {
  // Only members write; a guest's page never asks.
  if (!member()) return false;
  const settings = await config().catch(() => ({}));
  if (settings.uploads === false) return false;
  return (await hasRoute('post', '/api/uploads')) && (await hasRoute('get', '/api/attachments/{attachment_id}'));
}

function sendToStorage(target, file, onProgress) {
  // XMLHttpRequest rather than fetch: it reports the upload's progress.
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(target.fields || {})) form.append(name, value);
    form.append('file', file);
    const request = new XMLHttpRequest();
    request.open('POST', target.url);
    request.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    request.addEventListener('load', () => (request.status < 300 ? resolve() : reject(new Error(`The upload was refused (${request.status}).`))));
    request.addEventListener('error', () => reject(new Error('The upload failed; check your connection.')));
    request.send(form);
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function whenReady(id) {
  for (let attempt = 0; attempt < POLL_LIMIT; attempt += 1) {
    const attachment = await api(`/api/attachments/${encodeURIComponent(id)}`, { auth: true });
    if (attachment.status === 'ready' || (!attachment.status && attachment.thumb_url)) return attachment;
    if (attachment.status === 'failed') throw new Error(attachment.reason || attachment.detail || 'The image could not be processed.');
    await sleep(POLL_MS);
  }
  throw new Error('The image is taking too long to process; try again.');
}

export function setupUploads(form, changed) {
  const area = form.querySelector('[data-uploads]');
  const input = form.querySelector('[data-file]');
  const list = form.querySelector('[data-upload-list]');
  const items = [];

  function row(item) {
    const status = el('span', { class: 'status' });
    const bar = el('progress', { max: 1, value: 0, 'aria-label': `Uploading ${item.name}` });
    const remove = el('button', { type: 'button', class: 'link' }, 'Remove');
    const li = el('li', { dataset: { upload: '' } }, el('span', { class: 'name' }, item.name), bar, status, remove);
    remove.addEventListener('click', () => {
      items.splice(items.indexOf(item), 1);
      li.remove();
      changed();
    });
    list.append(li);
    return {
      progress(share) {
        bar.value = share;
      },
      ready(attachment) {
        bar.remove();
        status.textContent = 'Ready';
        li.dataset.ready = 'true';
        if (attachment.thumb_url) li.prepend(el('img', { src: attachment.thumb_url, alt: item.name }));
      },
      failed(message) {
        li.dataset.failed = 'true';
        bar.remove();
        status.textContent = message;
        status.className = 'failed';
      },
      processing() {
        bar.removeAttribute('value');
        status.textContent = 'Processing…';
      },
    };
  }

  async function add(file) {
    const item = { name: file.name || 'image', id: null, thumb_url: null, state: 'uploading' };
    items.push(item);
    const view = row(item);
    if (!ACCEPTED.includes(file.type)) {
      item.state = 'failed';
      view.failed('Only JPEG, PNG, WebP, GIF and HEIC images can be attached.');
      return;
    }
    try {
      const settings = await config();
      if (settings.max_upload_bytes && file.size > settings.max_upload_bytes) {
        throw new Error(`The image is larger than ${Math.round(settings.max_upload_bytes / 1048576)} MB.`);
      }
      const ticket = await asMember('/api/uploads', {
        method: 'POST',
        body: { filename: file.name, content_type: file.type, size: file.size },
      });
      item.id = ticket.attachment_id ?? ticket.id ?? ticket.attachment?.id;
      const target = ticket.upload ?? { url: ticket.url, fields: ticket.fields };
      await sendToStorage(target, file, view.progress);
      view.processing();
      const attachment = await whenReady(item.id);
      item.thumb_url = attachment.thumb_url;
      item.state = 'ready';
      view.ready(attachment);
      changed();
    } catch (failure) {
      item.state = 'failed';
      view.failed(describe(failure));
    }
  }

  function addAll(files) {
    for (const file of files) add(file);
  }

  uploadsOffered().then((offered) => {
    if (!offered || !area) return;
    area.hidden = false;
    input.addEventListener('change', () => {
      addAll([...input.files]);
      input.value = '';
    });
    form.addEventListener('dragover', (event) => {
      if (![...event.dataTransfer.types].includes('Files')) return;
      event.preventDefault();
      form.classList.add('dragging');
    });
    form.addEventListener('dragleave', () => form.classList.remove('dragging'));
    form.addEventListener('drop', (event) => {
      if (!event.dataTransfer.files.length) return;
      event.preventDefault();
      form.classList.remove('dragging');
      addAll([...event.dataTransfer.files]);
    });
  });

  return {
    pending: () => items.some((item) => item.state === 'uploading'),
    readyIds: () => items.filter((item) => item.state === 'ready' && item.id).map((item) => item.id),
    saved: () => items.filter((item) => item.state === 'ready').map(({ id, name, thumb_url }) => ({ id, name, thumb_url })),
    restore(saved) {
      for (const entry of saved) {
        if (!entry.id) continue;
        const item = { ...entry, state: 'ready' };
        items.push(item);
        row(item).ready(entry);
      }
    },
    clear() {
      items.length = 0;
      list?.replaceChildren();
    },
  };
}

// --- An avatar (the account page): one picture, uploaded as an avatar (square crops), its
// attachment returned once its images are made.

export async function uploadAvatar(file, onProgress = () => {}) {
  if (!ACCEPTED.includes(file.type)) throw new Error('Only JPEG, PNG, WebP, GIF and HEIC images can be used.');
  const settings = await config();
  if (settings.max_upload_bytes && file.size > settings.max_upload_bytes) {
    throw new Error(`The image is larger than ${Math.round(settings.max_upload_bytes / 1048576)} MB.`);
  }
  const ticket = await asMember('/api/uploads', {
    method: 'POST',
    body: { filename: file.name, content_type: file.type, size: file.size, purpose: 'avatar' },
  });
  const id = ticket.attachment_id ?? ticket.id ?? ticket.attachment?.id;
  await sendToStorage(ticket.upload ?? { url: ticket.url, fields: ticket.fields }, file, onProgress);
  const attachment = await whenReady(id);
  return { ...attachment, id };
}
