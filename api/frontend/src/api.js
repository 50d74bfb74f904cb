// The API at the same origin; the token lives in sessionStorage only (gone with the tab).
const KEY = 'cms.token';

/**
 * A sign-in link carries the token in the fragment (never sent to a server): #token=T, optionally
 * &view=/partner/p1. Read once into sessionStorage, then removed from the URL and its history entry.
 */
export function takeTokenFromUrl() {
  const m = location.hash.match(/(?:^#|&)token=([^&]+)/);
  if (m) {
    sessionStorage.setItem(KEY, decodeURIComponent(m[1]));
    const v = location.hash.match(/&view=([^&]+)/);
    history.replaceState(null, '', location.pathname + location.search + '#' + (v ? decodeURIComponent(v[1]) : '/'));
  }
}

export const token = () => sessionStorage.getItem(KEY);
export const setToken = (t) => sessionStorage.setItem(KEY, t.trim());
export const clearToken = () => sessionStorage.removeItem(KEY);

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }

  /** "field: text; other: text" -> [{field, text}]; a message without a field gets field null. */
  problems() {
    return this.message.split('; ').map((p) => {
      const m = p.match(/^([A-Za-z][\w.[\]]*): (.*)$/s);
      return m ? { field: m[1], text: p } : { field: null, text: p };
    });
  }
}

export async function call(method, path, body) {
  const headers = { Accept: 'application/json', Authorization: 'Bearer ' + token() };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (!r.ok) {
    if (r.status === 401) window.dispatchEvent(new CustomEvent('cms-unauthorized'));
    throw new ApiError(r.status, (json && json.message) || text || r.statusText);
  }
  return json;
}

export const get = (path) => call('GET', path);
export const put = (path, body) => call('PUT', path, body);
