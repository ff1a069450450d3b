import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type App, absoluteUrl } from './server.ts';

/** Paths that belong to an API face: never answered with the SPA's index.html. */
const API_PREFIXES = ['/api', '/serenytics', '/holistics', '/sisense', '/lightdash', '/health', '/embed-api'];

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

const MISSING_BUILD = `<!doctype html><meta charset="utf-8"><title>Rosetta</title>
<p>The web app is not built. Run <code>npm run build:web</code> and reload.</p>`;

/** The web app's page that shows an embedded dashboard, which every face's embed URL opens. */
export function embedUrlOf(request: FastifyRequest, token: string): string {
  return absoluteUrl(request, `/embed/${token}`);
}

export interface WebAppOptions {
  /** Default: `web/dist` of this checkout. */
  distDir?: string;
}

/**
 * Serves the single-page app built by Vite (`web/dist`) at `/`. Hashed files under `/assets/` are
 * cached for a year; every other GET that is not an API path falls back to `index.html`, which
 * is never cached, so a new build is picked up on the next navigation.
 */
export async function registerWebApp(app: App, options: WebAppOptions = {}): Promise<void> {
  const distDir = normalize(options.distDir ?? fileURLToPath(new URL('../../web/dist', import.meta.url)));
  let indexHtml: Buffer | undefined;

  const sendIndex = async (reply: FastifyReply) => {
    const index = join(distDir, 'index.html');
    if (!indexHtml || process.env.NODE_ENV !== 'production') {
      indexHtml = existsSync(index) ? await readFile(index) : Buffer.from(MISSING_BUILD);
    }
    return reply
      .header('content-type', CONTENT_TYPES['.html'])
      .header('cache-control', 'no-cache')
      .send(indexHtml);
  };

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    let path: string;
    try {
      path = decodeURIComponent((request.url.split('?')[0] ?? '/').replace(/\/+/g, '/'));
    } catch {
      return reply.callNotFound(); // malformed percent-encoding
    }
    if (API_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))) {
      return reply.callNotFound();
    }
    if (path !== '/' && extname(path) !== '') {
      const file = normalize(join(distDir, path));
      if (!file.startsWith(distDir + sep)) return reply.callNotFound();
      const info = await stat(file).catch(() => undefined);
      if (!info?.isFile()) {
        // A missing asset is a 404, not the app: a stale tab asking for an old chunk must see it fail.
        return reply.status(404).header('content-type', CONTENT_TYPES['.txt']).send('not found');
      }
      const hashed = path.startsWith('/assets/');
      return reply
        .header('content-type', CONTENT_TYPES[extname(file)] ?? 'application/octet-stream')
        .header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'public, max-age=300')
        .send(await readFile(file));
    }
    return sendIndex(reply);
  };

  app.get('/', { schema: { hide: true }, config: { public: true } }, handler);
  app.get('/*', { schema: { hide: true }, config: { public: true } }, handler);
}
