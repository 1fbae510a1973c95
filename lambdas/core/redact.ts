/**
 * Secret redaction, pure: applied to everything the pipeline keeps or sends where people read it, i.e.
 * the raw archive (envelope URL, response headers, body, error) and alert/error messages. Upstreams echo
 * what they were sent: a token endpoint answering 400 may put the request's `authorization: Basic …`
 * header into its error body, a proxy may echo a signed URL. So redaction does not trust where a secret
 * "should" be; it scans every text for the usual shapes of one:
 *
 * - headers by name (Authorization, Proxy-Authorization, Cookie, Set-Cookie, X-Api-Key, …);
 * - query-string and form parameters by name (token, key, secret, signature, X-Amz-Signature, …);
 * - JSON members by name (access_token, refresh_token, client_secret, password, …);
 * - header lines echoed in text (`authorization: Basic dXNlcjpwYXNz`, `Cookie: sid=…`);
 * - credentials in URLs (`https://user:password@host/`).
 *
 * The value is replaced by REDACTED; the name stays, so the archive still shows that a credential was
 * there. Names are matched whole and case-insensitively: `token` matches `token=` and `"token":`, not
 * `tokens_used`. Over-redaction of user text (a Reddit comment quoting `?token=abc`) is accepted: a
 * comment losing a fake-looking token is cheaper than a real one reaching the warehouse. A redacted JSON
 * text stays valid JSON: replaced values end at a quote or a backslash, never inside an escape.
 */

/** What a secret value is replaced with. */
export const REDACTED = '[REDACTED]';

/** Header names whose values are credentials or session state (lower case). */
export const SECRET_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-auth-token',
  'x-amz-security-token',
  'x-csrf-token',
]);

/** Query/form parameter and JSON member names whose values are credentials (lower case). */
export const SECRET_NAMES: ReadonlySet<string> = new Set([
  'access_token',
  'refresh_token',
  'id_token',
  'token',
  'auth',
  'key',
  'api_key',
  'apikey',
  'secret',
  'client_secret',
  'password',
  'passwd',
  'signature',
  'sig',
  'x-amz-signature',
  'x-amz-credential',
  'x-amz-security-token',
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
]);

const NAMES = [...SECRET_NAMES].map((n) => n.replace(/[-]/g, '\\-')).join('|');

/** `"name": "value"` (JSON, escapes inside the value honoured). */
const JSON_MEMBER = new RegExp(`("(?:${NAMES})"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'gi');
/** `name=value` in a query string or form body: starts the text or follows `?`, `&`, `;` or whitespace. */
const PARAM = new RegExp(`(^|[?&;\\s])((?:${NAMES})=)[^&\\s"'<>#\\\\]*`, 'gim');
/** An echoed credential header line: `authorization: Basic xyz`, `Proxy-Authorization: Bearer xyz`. */
const AUTH_LINE = /\b((?:proxy-)?authorization\s*[:=]\s*)(?:(basic|bearer|digest|token)\s+)?[^\s,;"'\\]+/gi;
/** An echoed cookie header line: everything to the end of the line (or of the JSON string). */
const COOKIE_LINE = /\b((?:set-)?cookie\s*:\s*)[^\r\n"\\]+/gi;
/** `scheme://user:password@host`. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/\s:@"'\\]+:[^/\s@"'\\]*@/gi;

/** Redact every secret-looking value in a text (a body, an error message, an alert). */
export function redactText(text: string): string {
  return text
    .replace(JSON_MEMBER, `$1"${REDACTED}"`)
    .replace(AUTH_LINE, (_m, name: string, scheme: string | undefined) =>
      scheme ? `${name}${scheme} ${REDACTED}` : `${name}${REDACTED}`,
    )
    .replace(COOKIE_LINE, `$1${REDACTED}`)
    .replace(PARAM, `$1$2${REDACTED}`)
    .replace(URL_USERINFO, `$1${REDACTED}@`);
}

/** A URL with secret query parameters and user info redacted; text that is not a URL is redacted as text. */
export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return redactText(url);
  }
  if (u.username || u.password) {
    u.username = REDACTED;
    u.password = '';
  }
  for (const name of [...u.searchParams.keys()])
    if (SECRET_NAMES.has(name.toLowerCase())) u.searchParams.set(name, REDACTED);
  return u.toString();
}

/** Response headers with every credential/session header's value replaced by REDACTED (names lower-cased). */
export function redactHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    const name = k.toLowerCase();
    out[name] = SECRET_HEADERS.has(name) ? REDACTED : redactText(v);
  }
  return out;
}
