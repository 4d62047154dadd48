/**
 * The local web inspector: a `node:http` server on 127.0.0.1 that serves the page and the
 * JSON API. Every API call must carry the random access token printed with the URL, so
 * other local users and web pages the browser visits cannot read the audit log; a request
 * addressed to any other `Host` than its own loopback name and port gets 421 (DNS
 * rebinding); redrive is refused unless explicitly allowed.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Catalog, OutboxStore } from '@tidings/core';
import { type ApiResponse, createInspectorApi } from '../api/inspector-api.ts';
import { createTimeseriesRecorder } from '../api/timeseries.ts';
import { allowedHosts, isOwnHost } from './host-check.ts';
import { readStaticFile } from './static-files.ts';

export interface InspectorOptions {
  readonly store: OutboxStore;
  /** Port to listen on; 0 (the default) picks a free one. */
  readonly port?: number;
  /** Interface to bind. Default `127.0.0.1`: only this machine can connect. */
  readonly host?: string;
  /** Allow redriving dead letters from the page. Default false: read-only. */
  readonly allowRedrive?: boolean;
  /** Event definitions, for descriptions on the page. */
  readonly catalog?: Catalog;
  /** Use this token instead of a random one. */
  readonly token?: string;
  /** Backlog sampling interval for the charts. Default 5000 ms. */
  readonly sampleIntervalMs?: number;
  /** Shown in the page header. */
  readonly storeLabel?: string;
}

export interface Inspector {
  /** The page's address, token included: open it in a browser. */
  readonly url: string;
  readonly token: string;
  readonly port: number;
  /** Stops the server (the store stays open: it is the caller's). */
  close(): Promise<void>;
}

const maxBodyBytes = 1024 * 1024;

const securityHeaders = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  // The token is in the page's URL: never send it to another site.
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/**
 * @example
 * const inspector = await startInspector({ store, allowRedrive: true });
 * console.log(`Inspector at ${inspector.url}`);
 * // … later
 * await inspector.close();
 */
export async function startInspector(options: InspectorOptions): Promise<Inspector> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(18).toString('base64url');
  const timeseries = createTimeseriesRecorder(options.store, {
    intervalMs: options.sampleIntervalMs ?? 5000,
  });
  void timeseries.sample();
  const api = createInspectorApi({
    store: options.store,
    allowRedrive: options.allowRedrive ?? false,
    timeseries,
    ...(options.catalog ? { catalog: options.catalog } : {}),
    ...(options.storeLabel ? { storeLabel: options.storeLabel } : {}),
  });
  const expected = Buffer.from(token);
  const authorised = (request: IncomingMessage, url: URL) => {
    const given = Buffer.from(
      request.headers['x-tidings-token']?.toString() ?? url.searchParams.get('token') ?? '',
    );
    return given.length === expected.length && timingSafeEqual(given, expected);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      send(response, { status: 500, body: { error: String(error) } });
    });
  });

  let hosts: ReadonlySet<string> = new Set();
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    if (!isOwnHost(request.headers.host, hosts)) {
      return send(response, {
        status: 421,
        body: {
          error: `This inspector answers only to ${[...hosts].join(', ')}; the request was addressed to ${JSON.stringify(request.headers.host ?? '')}. Open the URL it printed.`,
        },
      });
    }
    const url = new URL(request.url ?? '/', 'http://inspector.invalid');
    if (!url.pathname.startsWith('/api/')) {
      const file =
        request.method === 'GET' || request.method === 'HEAD'
          ? await readStaticFile(url.pathname)
          : undefined;
      if (!file) return send(response, { status: 404, body: { error: `Nothing at ${url.pathname}.` } });
      response.writeHead(200, { ...securityHeaders, 'content-type': file.contentType });
      response.end(file.body);
      return;
    }
    if (!authorised(request, url)) {
      return send(response, {
        status: 401,
        body: {
          error: 'Missing or wrong access token: open the URL the inspector printed, with its ?token=…',
        },
      });
    }
    let body: unknown;
    if (request.method === 'POST') {
      const parsed = await readJson(request);
      if ('error' in parsed) return send(response, { status: 400, body: parsed });
      body = parsed.value;
    }
    url.searchParams.delete('token');
    send(
      response,
      await api({ method: request.method ?? 'GET', path: url.pathname, query: url.searchParams, body }),
    );
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  hosts = allowedHosts(port, host);
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    token,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        timeseries.close();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function send(response: ServerResponse, { status, body }: ApiResponse) {
  response.writeHead(status, { ...securityHeaders, 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}

async function readJson(request: IncomingMessage): Promise<{ value: unknown } | { error: string }> {
  if (!/^application\/json\b/.test(request.headers['content-type'] ?? '')) {
    // Also keeps plain HTML forms on other sites from posting here.
    return { error: 'Send the body as JSON with content-type: application/json.' };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) return { error: `The body is larger than ${maxBodyBytes} bytes.` };
    chunks.push(chunk as Buffer);
  }
  try {
    return { value: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') };
  } catch {
    return { error: 'The body is not valid JSON.' };
  }
}
