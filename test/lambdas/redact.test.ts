import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REDACTED, redactHeaders, redactText, redactUrl, SECRET_HEADERS } from '../../lambdas/core/redact';

/** Fake credentials: obviously not real, distinctive enough that a leak is unambiguous. */
const FAKE_SECRET = 'FAKE-s3cr3t-9f8e7d';
const FAKE_BASIC = Buffer.from(`fake-client:${FAKE_SECRET}`).toString('base64');

describe('redactText', () => {
  it.each([
    ['an OAuth token body', `{"access_token": "${FAKE_SECRET}", "expires_in": 3600}`],
    ['a refresh token', `{"refresh_token":"${FAKE_SECRET}"}`],
    ['a client secret echoed in JSON', `{"error":"invalid_client","client_secret":"${FAKE_SECRET}"}`],
    ['a password member in any case', `{"Password": "${FAKE_SECRET}"}`],
    ['an echoed Basic authorization header', `bad request; headers: authorization: Basic ${FAKE_BASIC}`],
    [
      'an echoed header inside a JSON error body',
      `{"echo":"Authorization: Basic ${FAKE_BASIC}\\r\\nHost: x"}`,
    ],
    ['an echoed bearer header', `Proxy-Authorization: Bearer ${FAKE_SECRET}`],
    ['an echoed cookie line', `Cookie: session=${FAKE_SECRET}; theme=dark`],
    ['an echoed Set-Cookie line', `set-cookie: sid=${FAKE_SECRET}; Path=/; HttpOnly`],
    ['a token query parameter', `GET https://api.example.invalid/x?limit=5&token=${FAKE_SECRET}`],
    ['an api key query parameter', `see https://api.example.invalid/x?key=${FAKE_SECRET}&a=1`],
    [
      'a pre-signed URL signature',
      `https://b.s3.amazonaws.com/k?X-Amz-Signature=${FAKE_SECRET}&X-Amz-Date=1`,
    ],
    ['a form body', `grant_type=password&password=${FAKE_SECRET}&client_secret=${FAKE_SECRET}`],
    ['URL user info', `proxy at https://fake-user:${FAKE_SECRET}@proxy.example.invalid:8080/`],
  ])('removes the credential from %s', (_what, text) => {
    const out = redactText(text);
    expect(out).not.toContain(FAKE_SECRET);
    expect(out).not.toContain(FAKE_BASIC);
    expect(out).toContain(REDACTED);
  });

  it('keeps the header scheme and the member name so the archive shows what was there', () => {
    expect(redactText(`authorization: Basic ${FAKE_BASIC}`)).toBe(`authorization: Basic ${REDACTED}`);
    expect(redactText(`{"access_token":"${FAKE_SECRET}"}`)).toBe(`{"access_token":"${REDACTED}"}`);
    expect(redactText(`a?limit=5&token=${FAKE_SECRET}&b=2`)).toBe(`a?limit=5&token=${REDACTED}&b=2`);
  });

  it('leaves ordinary data alone when no name is a secret name', () => {
    const body = '{"data":[{"id":"90","symbol":"BTC","price_usd":"97000.1"}],"info":{"coins_num":9000}}';
    expect(redactText(body)).toBe(body);
    expect(redactText('tokens_used=5&monkey=banana')).toBe('tokens_used=5&monkey=banana');
  });

  it('keeps any JSON text valid JSON and is idempotent', () => {
    const secretKey = fc.constantFrom('access_token', 'token', 'key', 'authorization', 'cookie', 'other');
    const value = fc.oneof(
      fc.string(),
      fc.constant(`authorization: Basic ${FAKE_BASIC}"\\`),
      fc.constant(`https://u:p@h/?token=a\\"b`),
      fc.constant('Cookie: a=b\\n"c'),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(secretKey, value), { maxLength: 6 }), (pairs) => {
        const text = JSON.stringify(Object.fromEntries(pairs));
        const once = redactText(text);
        expect(() => JSON.parse(once)).not.toThrow();
        expect(redactText(once)).toBe(once);
      }),
    );
  });
});

describe('redactUrl', () => {
  it('replaces secret query parameters and user info and keeps the rest of the URL', () => {
    const out = redactUrl(
      `https://fake:${FAKE_SECRET}@api.example.invalid/r/x/new?limit=100&api_key=${FAKE_SECRET}`,
    );
    expect(out).not.toContain(FAKE_SECRET);
    const u = new URL(out);
    expect(u.searchParams.get('limit')).toBe('100');
    expect(u.searchParams.get('api_key')).toBe(REDACTED);
    expect(u.pathname).toBe('/r/x/new');
  });

  it('returns a URL without secrets unchanged', () => {
    const url = 'https://api.coinlore.net/api/tickers/?start=100&limit=100';
    expect(redactUrl(url)).toBe(url);
  });

  it('redacts text that is not a URL as text', () => {
    expect(redactUrl(`not a url token=${FAKE_SECRET}`)).not.toContain(FAKE_SECRET);
  });
});

describe('redactHeaders', () => {
  it('replaces the value of every credential header whatever its case, and keeps the others', () => {
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'X-Ratelimit-Remaining': '5',
    };
    for (const name of SECRET_HEADERS) headers[name.toUpperCase()] = `${FAKE_SECRET}-${name}`;
    const out = redactHeaders(headers);
    expect(JSON.stringify(out)).not.toContain(FAKE_SECRET);
    for (const name of SECRET_HEADERS) expect(out[name]).toBe(REDACTED);
    expect(out['content-type']).toBe('application/json');
    expect(out['x-ratelimit-remaining']).toBe('5');
  });

  it('redacts a secret echoed inside an ordinary header', () => {
    expect(redactHeaders({ location: `https://x.invalid/cb?access_token=${FAKE_SECRET}` }).location).toBe(
      `https://x.invalid/cb?access_token=${REDACTED}`,
    );
  });
});

describe('redaction edges', () => {
  it('redacts a user name alone in a URL (tokens are often sent as the user name)', () => {
    const out = redactUrl(`https://${FAKE_SECRET}@git.example.invalid/repo`);
    expect(out).toBe('https://%5BREDACTED%5D@git.example.invalid/repo');
    expect(redactUrl(`https://u:${FAKE_SECRET}@h.invalid/`)).toBe('https://%5BREDACTED%5D@h.invalid/');
  });

  it('redacts an echoed authorization header that has no scheme', () => {
    expect(redactText(`authorization: ${FAKE_SECRET}`)).toBe(`authorization: ${REDACTED}`);
  });
});
