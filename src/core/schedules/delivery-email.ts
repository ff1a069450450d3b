import type { Principal } from '../auth/principal.ts';
import type { JobContext } from '../jobs/index.ts';
import type { ViewFilters } from '../views/index.ts';
import type { RunDeps, RunPayload } from './delivery.ts';
import type { RenderedFile, Schedule } from './types.ts';

/**
 * The body of a delivery or alert email: a plain-text part, and an HTML part with a link to the
 * dashboard (when the server knows its public address, `ROSETTA_PUBLIC_URL`) and a picture of it
 * shown inline through `cid:` (when there is one), so readers see the numbers without opening
 * the attachment.
 */
export interface EmailContent {
  /** The schedule's own message, variables filled in. */
  intro: string | null;
  /** What was sent or why the alert fired. */
  headline: string;
  /** The filters in force, as one line. */
  filters: string;
  /** `<public URL>/dashboards/<id>` and the dashboard's name. */
  link: { url: string; name: string } | null;
  /** A picture of the dashboard or widget; its `cid` is what the HTML refers to. */
  picture: RenderedFile | null;
}

/** The content id of the inline picture; unique enough within one message. */
export const PICTURE_CID = 'dashboard-picture@rosetta';

const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

const paragraphs = (text: string, style = ''): string =>
  text
    .split(/\n{2,}/)
    .map((block) => `<p${style}>${escapeHtml(block).replaceAll('\n', '<br>')}</p>`)
    .join('\n');

/** `https://bi.example.com/dashboards/12`, or null without a public URL. */
export function dashboardLink(publicUrl: string | undefined, dashboardId: number | null): string | null {
  return publicUrl && dashboardId !== null ? `${publicUrl}/dashboards/${dashboardId}` : null;
}

export function emailBody(content: EmailContent): { text: string; html: string } {
  const { intro, headline, filters, link, picture } = content;
  const text = [
    intro ? `${intro}\n\n` : '',
    `${headline}\n`,
    `${filters}\n`,
    link ? `\nOpen "${link.name}": ${link.url}\n` : '',
  ].join('');
  const href = link && escapeHtml(link.url);
  const image =
    picture?.cid &&
    `<img src="cid:${picture.cid}" alt="${escapeHtml(picture.filename)}" style="max-width:100%;border:1px solid #d9dee4">`;
  const html = [
    '<!DOCTYPE html>',
    '<html><body style="font-family:Arial,Helvetica,sans-serif;color:#1f2933;font-size:14px">',
    intro ? paragraphs(intro) : '',
    `<p><strong>${escapeHtml(headline)}</strong></p>`,
    paragraphs(filters, ' style="color:#52606d"'),
    link ? `<p><a href="${href}">Open “${escapeHtml(link.name)}” in Rosetta</a></p>` : '',
    image ? `<p>${link ? `<a href="${href}">${image}</a>` : image}</p>` : '',
    '</body></html>',
  ]
    .filter(Boolean)
    .join('\n');
  return { text, html };
}

/**
 * A PNG of the dashboard or widget for the email to show inline, rendered as the file was; none
 * for a query. A picture that cannot be drawn leaves the email without one: the file still goes.
 */
export async function pictureOf(
  deps: RunDeps,
  schedule: Schedule,
  principal: Principal,
  sent: { file: RenderedFile; filters: ViewFilters },
  context: JobContext<RunPayload>,
): Promise<RenderedFile | null> {
  if ('query' in schedule.target) return null;
  if (schedule.format === 'png') return { ...sent.file, cid: PICTURE_CID };
  try {
    const png = await deps.renderer.render(
      principal,
      schedule.target,
      'png',
      sent.filters,
      context.signal,
      schedule.variables,
    );
    return { ...png, cid: PICTURE_CID };
  } catch (error) {
    if (context.signal.aborted) throw error;
    await context.log(
      `the email goes without its picture: ${error instanceof Error ? error.message : error}`,
    );
    return null;
  }
}
