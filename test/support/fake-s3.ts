/**
 * A minimal S3-compatible endpoint on loopback for tests, addressed path-style (`/<bucket>/<key>`) as the
 * SDK does with `forcePathStyle` (AWS_ENDPOINT_URL_S3, MinIO). It implements what the lake needs and no
 * more: CreateBucket, HeadBucket, PutObject, GetObject, HeadObject and ListObjectsV2 (prefix, max-keys,
 * continuation tokens, LastModified and Size). Signatures are not checked. Anything else answers 501, or
 * goes to `fallback` (the bundle test serves Secrets Manager from the same port).
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeS3Object {
  readonly body: Buffer;
  readonly contentType?: string;
  /** Whole seconds, like S3 (the HTTP Last-Modified header has no milliseconds). */
  readonly lastModified: Date;
}

export interface FakeS3Options {
  /** Buckets that exist from the start (others are created by `PUT /<bucket>`). @default [] */
  readonly buckets?: readonly string[];
  /** Largest ListObjectsV2 page (small values exercise continuation tokens). @default 1000 */
  readonly pageSize?: number;
  /** Handles requests that are not path-style S3 calls (e.g. a JSON-protocol service on the same port). */
  readonly fallback?: (req: IncomingMessage, body: Buffer, res: ServerResponse) => void;
}

export interface FakeS3 {
  /** Endpoint URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** The bucket's objects by key (empty map for an unknown bucket). */
  objects(bucket: string): ReadonlyMap<string, FakeS3Object>;
  /** An object's body as UTF-8; undefined when absent. */
  text(bucket: string, key: string): string | undefined;
  /** How many ListObjectsV2 requests were answered (tests check pagination happened). */
  readonly listRequests: number;
  close(): Promise<void>;
}

const xmlEscape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>';

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(`${XML_HEAD}<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error>`);
}

/** Start the fake on 127.0.0.1 with an ephemeral port. */
export async function startFakeS3(opts: FakeS3Options = {}): Promise<FakeS3> {
  const buckets = new Map<string, Map<string, FakeS3Object>>(
    (opts.buckets ?? []).map((b) => [b, new Map<string, FakeS3Object>()]),
  );
  const pageSize = opts.pageSize ?? 1000;
  let listRequests = 0;

  const list = (res: ServerResponse, bucket: string, q: URLSearchParams) => {
    listRequests++;
    const objects = buckets.get(bucket)!;
    const prefix = q.get('prefix') ?? '';
    const token = q.get('continuation-token');
    const after = token ? Buffer.from(token, 'base64url').toString('utf8') : (q.get('start-after') ?? '');
    const max = Math.min(Number(q.get('max-keys') ?? pageSize), pageSize);
    // S3 lists in UTF-8 binary order.
    const keys = [...objects.keys()]
      .filter((k) => k.startsWith(prefix) && k > after)
      .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    const page = keys.slice(0, max);
    const truncated = keys.length > page.length;
    const contents = page
      .map((k) => {
        const o = objects.get(k)!;
        return `<Contents><Key>${xmlEscape(k)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>"${o.body.length}"</ETag><Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
      })
      .join('');
    const next = truncated
      ? `<NextContinuationToken>${Buffer.from(page.at(-1)!).toString('base64url')}</NextContinuationToken>`
      : '';
    res.writeHead(200, { 'content-type': 'application/xml' });
    res.end(
      `${XML_HEAD}<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xmlEscape(bucket)}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${max}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${contents}${next}</ListBucketResult>`,
    );
  };

  const handle = (req: IncomingMessage, body: Buffer, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://fake-s3');
    const [bucket = '', ...rest] = url.pathname.slice(1).split('/');
    const key = rest.map(decodeURIComponent).join('/');
    if (bucket === '') {
      if (opts.fallback) return opts.fallback(req, body, res);
      return sendError(res, 501, 'NotImplemented', `fake S3: ${req.method} ${url.pathname}`);
    }
    if (req.method === 'PUT' && key === '') {
      if (!buckets.has(bucket)) buckets.set(bucket, new Map());
      res.writeHead(200);
      return res.end();
    }
    const objects = buckets.get(bucket);
    if (!objects) return sendError(res, 404, 'NoSuchBucket', `no bucket ${bucket}`);
    if (key === '') {
      if (req.method === 'HEAD') {
        res.writeHead(200);
        return res.end();
      }
      if (req.method === 'GET' && url.searchParams.get('list-type') === '2')
        return list(res, bucket, url.searchParams);
    } else if (req.method === 'PUT') {
      // Chunked uploads (aws-chunked) would need decoding; the lake's bodies are buffers, sent whole.
      if (String(req.headers['content-encoding'] ?? '').includes('aws-chunked'))
        return sendError(res, 501, 'NotImplemented', 'fake S3: aws-chunked uploads');
      const lastModified = new Date();
      lastModified.setUTCMilliseconds(0);
      objects.set(key, {
        body,
        contentType: req.headers['content-type'],
        lastModified,
      });
      res.writeHead(200, { etag: `"${body.length}"` });
      return res.end();
    } else if (req.method === 'GET' || req.method === 'HEAD') {
      const o = objects.get(key);
      if (!o) return sendError(res, 404, 'NoSuchKey', `no key ${key}`);
      res.writeHead(200, {
        'content-length': o.body.length,
        'content-type': o.contentType ?? 'application/octet-stream',
        'last-modified': o.lastModified.toUTCString(),
        etag: `"${o.body.length}"`,
      });
      return res.end(req.method === 'GET' ? o.body : undefined);
    }
    sendError(res, 501, 'NotImplemented', `fake S3: ${req.method} ${url.pathname}${url.search}`);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, Buffer.concat(chunks), res));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    objects: (bucket) => buckets.get(bucket) ?? new Map(),
    text: (bucket, key) => buckets.get(bucket)?.get(key)?.body.toString('utf8'),
    get listRequests() {
      return listRequests;
    },
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
