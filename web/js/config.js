// The forum's settings for the browser (/config.json, written from the stack's outputs).

let loading = null;

export function config() {
  loading ??= fetch('/config.json', { credentials: 'same-origin' }).then((response) => {
    if (!response.ok) throw new Error(`/config.json answered ${response.status}`);
    return response.json();
  });
  return loading;
}
