import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../server.ts';

/**
 * The Content-Security-Policy of every response. Scripts only from this server (the built app has
 * no inline script). Styles may be inline: a dashboard's custom CSS is a `<style>` element and its
 * sanitized header keeps `style` attributes, as do ECharts' tooltips. What keeps that CSS from
 * calling out (`background: url(https://…)`, `@font-face`, attribute-selector beacons) is that
 * images, fonts and connections are limited to this server and inline `data:`.
 */
const POLICY: ReadonlyArray<readonly [string, string]> = [
  ['default-src', "'self'"],
  ['script-src', "'self'"],
  ['style-src', "'self' 'unsafe-inline'"],
  ['img-src', "'self' data:"],
  ['font-src', "'self' data:"],
  ['connect-src', "'self'"],
  ['object-src', "'none'"],
  ['base-uri', "'none'"],
  ['form-action', "'self'"],
];

const policyFramedBy = (ancestors: string) =>
  [...POLICY, ['frame-ancestors', ancestors]].map(([name, sources]) => `${name} ${sources}`).join('; ');

const EVERY_RESPONSE = {
  'x-content-type-options': 'nosniff',
  // The embed page and export links carry their token in the URL: no Referer may hand it on.
  'referrer-policy': 'no-referrer',
  // A page this app opens elsewhere gets no handle on the signed-in window.
  'cross-origin-opener-policy': 'same-origin',
};

/** The embed page (`/embed/<token>`) is the one page other sites may frame. */
const isEmbedPage = (url: string) => url.startsWith('/embed/');

/**
 * Security headers on every response of every face, errors and 404s included (an `onRequest`
 * hook, so they are set before any route or error handler runs). Nothing may frame the app
 * (`frame-ancestors 'none'`, and `X-Frame-Options` for browsers without CSP 2) except the embed
 * page, which `embedOrigins` (`ROSETTA_EMBED_ORIGINS`) may frame: its token is the boundary and
 * the page only reads, so there is no action to trick a user into.
 */
export function registerSecurityHeaders(app: App, options: { embedOrigins: readonly string[] }): void {
  const appHeaders = {
    ...EVERY_RESPONSE,
    'content-security-policy': policyFramedBy("'none'"),
    'x-frame-options': 'DENY',
  };
  const embedHeaders = {
    ...EVERY_RESPONSE,
    'content-security-policy': policyFramedBy(options.embedOrigins.join(' ')),
  };
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    reply.headers(isEmbedPage(request.url) ? embedHeaders : appHeaders);
  });
}
