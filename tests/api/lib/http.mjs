// HTTP helpers for API tests: raw requests with full control of headers (node:http, so Origin,
// Sec-Fetch-Site and Content-Type go out exactly as given), JSON bodies, and a client with a
// cookie jar that registers and signs in.
import http from 'node:http';
import https from 'node:https';

const kRequestTimeoutMs = 15_000;

/** Parses one Set-Cookie header into { name, value, attrs } (attribute names lower-cased). */
export function parseSetCookie(header) {
  const [pair, ...rest] = header.split(';').map((s) => s.trim());
  const eq = pair.indexOf('=');
  const attrs = {};
  for (const part of rest) {
    const i = part.indexOf('=');
    const key = (i < 0 ? part : part.slice(0, i)).toLowerCase();
    attrs[key] = i < 0 ? true : part.slice(i + 1);
  }
  return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attrs };
}

/**
 * Sends one request and resolves { status, headers, setCookies, text, body } where `body` is the
 * parsed JSON (or undefined when the response is not JSON). Options: `json` (serialized, sent
 * with Content-Type: application/json unless headers say otherwise), `body` (raw string/Buffer),
 * `chunked` (send the body with Transfer-Encoding: chunked instead of Content-Length),
 * `headers`, `agent` (default: a new connection per request), `timeoutMs`. The answer also
 * carries the `socket` it came on and that socket's `localPort`.
 */
export function request(
  baseUrl,
  method,
  path,
  { json, body, chunked = false, headers = {}, agent, timeoutMs = kRequestTimeoutMs } = {},
) {
  const url = new URL(path, baseUrl);
  const h = { ...headers };
  let payload = body;
  if (json !== undefined) {
    payload = JSON.stringify(json);
    if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type'))
      h['Content-Type'] = 'application/json';
  }
  if (payload !== undefined && !chunked) h['Content-Length'] = Buffer.byteLength(payload);
  return new Promise((resolve, reject) => {
    // https: base URLs (tests/api/https.test.mjs) accept chorusd's self-signed certificate.
    const req = (url.protocol === 'https:' ? https : http).request(
      {
        rejectUnauthorized: false,
        host: url.hostname,
        port: url.port,
        method,
        path: url.pathname + url.search,
        headers: h,
        agent: agent ?? false,
      },
      (res) => {
        // Taken now: a keep-alive agent detaches the socket from the response when it ends.
        const socket = res.socket;
        const localPort = socket?.localPort;
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed;
          if ((res.headers['content-type'] ?? '').startsWith('application/json') && text.length) {
            try {
              parsed = JSON.parse(text);
            } catch {
              parsed = undefined;
            }
          }
          resolve({
            status: res.statusCode,
            headers: res.headers,
            setCookies: res.headers['set-cookie'] ?? [],
            text,
            body: parsed,
            socket,
            localPort,
          });
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () =>
      req.destroy(new Error(`${method} ${path}: no answer in ${timeoutMs} ms`)),
    );
    req.on('error', (error) => {
      error.message = `${method} ${path}: ${error.message}`;
      reject(error);
    });
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/**
 * A user agent with a cookie jar: every request carries the cookies received so far, and
 * Set-Cookie answers update the jar (Max-Age=0 removes a cookie).
 */
export class Client {
  constructor(baseUrl) {
    this.baseUrl = baseUrl;
    this.cookies = new Map();
  }

  /** The Cookie header value for the jar, or '' when empty. */
  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** The session cookie value, or undefined. */
  get session() {
    return this.cookies.get('chorus_session');
  }

  /** Same as request() with the jar's cookies; updates the jar from the answer. */
  async request(method, path, options = {}) {
    const headers = { ...(options.headers ?? {}) };
    const jar = this.cookieHeader();
    if (jar && !Object.keys(headers).some((k) => k.toLowerCase() === 'cookie'))
      headers.Cookie = jar;
    const res = await request(this.baseUrl, method, path, { ...options, headers });
    for (const header of res.setCookies) {
      const c = parseSetCookie(header);
      if (c.attrs['max-age'] === '0' || c.value === '') this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return res;
  }

  get(path, options) {
    return this.request('GET', path, options);
  }

  post(path, json, options = {}) {
    return this.request('POST', path, { ...options, json });
  }

  patch(path, json, options = {}) {
    return this.request('PATCH', path, { ...options, json });
  }

  /** POST /api/auth/register; throws unless 201. Returns the response. */
  async register(username, password) {
    const res = await this.post('/api/auth/register', { username, password });
    if (res.status !== 201) throw new Error(`register ${username}: ${res.status} ${res.text}`);
    return res;
  }

  /** POST /api/auth/login; throws unless 200. Returns the response. */
  async login(username, password) {
    const res = await this.post('/api/auth/login', { username, password });
    if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${res.text}`);
    return res;
  }

  /** POST /api/auth/logout. Returns the response. */
  logout() {
    return this.post('/api/auth/logout', {});
  }
}

let userCounter = 0;

/** A fresh username unique within this process and run (3–32 characters of [a-z0-9_]). */
export function uniqueName(prefix = 'u') {
  userCounter += 1;
  return `${prefix}_${process.pid.toString(36)}_${userCounter}_${Date.now().toString(36).slice(-4)}`.slice(
    0,
    32,
  );
}

/** Registers a new user on a fresh client and returns { client, username, password, user }. */
export async function newUser(baseUrl, prefix = 'u') {
  const client = new Client(baseUrl);
  const username = uniqueName(prefix);
  const password = `pw-${username}-secret`;
  const res = await client.register(username, password);
  return { client, username, password, user: res.body.user };
}

/** Signs in the bootstrap admin on a fresh client and returns it. */
export async function adminClient(baseUrl, username = 'admin', password = 'adminpass123') {
  const client = new Client(baseUrl);
  await client.login(username, password);
  return client;
}
