// Dates in the reader's own locale and time zone; the absolute time on hover.

const short = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const full = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'long' });

function localize(element) {
  const moment = new Date(element.dateTime);
  if (Number.isNaN(moment.getTime())) return;
  element.textContent = short.format(moment);
  element.title = full.format(moment);
}

export function localizeDates(root = document) {
  for (const element of root.querySelectorAll('time[datetime]')) localize(element);
}

export function timeElement(iso) {
  const element = document.createElement('time');
  element.dateTime = iso;
  element.textContent = iso;
  localize(element);
  return element;
}
