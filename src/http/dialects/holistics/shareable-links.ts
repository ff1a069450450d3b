import type { Principal } from '../../../core/auth/index.ts';
import { type EmbedLink, MAX_EMBED_SECONDS } from '../../../core/auth/index.ts';
import { notFound, validationError } from '../../../core/errors.ts';
import type { Services } from '../../../services.ts';
import { renameFields } from '../../kit/index.ts';
import { type App, principalOf } from '../../server.ts';
import { embedUrlOf } from '../../web.ts';
import { type CursorQuery, cursorPage } from './paging.ts';
import { holisticsRoute } from './routes.ts';

export type ShareableLinkPorts = Pick<Services, 'content' | 'embeds'>;

/** `ShareableLink` as clients send it; what Rosetta's links cannot hold is refused by field. */
interface ShareableLinkInput {
  resource_type: 'Dashboard';
  resource_id: number;
  title?: string | null;
  password_enabled?: boolean;
  password?: unknown;
  expired_at?: string | null;
  dynamic_filter_presets?: unknown[];
  permission_rules?: { row_based?: unknown[] };
}

type LinkBody = { Body: { shareable_link: ShareableLinkInput } };
type IdParams = { Params: { id: number } };
const FIELD = 'shareable_link';

/**
 * A shareable link is a Rosetta embed link: a secret URL opening one dashboard as its creator
 * sees it, until it expires (at most 5 days) or is deleted. Rosetta's links hold no title,
 * password, filter presets or row rules of their own (row policies follow the creator's
 * attributes), so a link asking for them is refused rather than made without them.
 */
function checkSupported(input: ShareableLinkInput): void {
  if (input.title) throw validationError(`${FIELD}.title`, "Rosetta's links have no title");
  if (input.password_enabled || (input.password !== undefined && input.password !== null))
    throw validationError(`${FIELD}.password_enabled`, "Rosetta's links open without a password");
  if ((input.dynamic_filter_presets?.length ?? 0) > 0)
    throw validationError(
      `${FIELD}.dynamic_filter_presets`,
      "Rosetta's links open the dashboard with its own filter defaults",
    );
  if ((input.permission_rules?.row_based?.length ?? 0) > 0)
    throw validationError(
      `${FIELD}.permission_rules.row_based`,
      "Rosetta's links see the rows their creator sees: restrict rows with row policies and attributes",
    );
}

/** Seconds from now to `expired_at`; no expiry is the longest a Rosetta link lives (5 days). */
function lifetimeOf(expiredAt: string | null | undefined): number {
  if (expiredAt === null || expiredAt === undefined) return MAX_EMBED_SECONDS;
  const at = Date.parse(expiredAt);
  if (Number.isNaN(at)) throw validationError(`${FIELD}.expired_at`, 'must be a date and time');
  return Math.ceil((at - Date.now()) / 1000);
}

const linkJson = (link: EmbedLink) => ({
  id: link.id,
  resource_type: 'Dashboard',
  resource_id: link.dashboardId,
  title: null,
  password_enabled: false,
  password: null,
  expired_at: link.expiresAt,
  dynamic_filter_presets: [],
  permission_rules: { row_based: [] },
  /** The code `/embed/{hashcode}/shorten_token` takes. */
  hash_code: link.uuid,
});

/** The links of the dashboards the caller may edit (only their editors see their links); revoked ones are gone. */
async function linksOf(
  ports: ShareableLinkPorts,
  principal: Principal,
  dashboardId?: number,
): Promise<EmbedLink[]> {
  const ids =
    dashboardId === undefined
      ? (await ports.content.dashboards.list(principal)).map((dashboard) => dashboard.id)
      : [dashboardId];
  const links: EmbedLink[] = [];
  for (const id of ids) {
    const { editable } = await ports.content.dashboards.editable(principal, id);
    if (editable) links.push(...(await ports.embeds.list(principal, id)));
  }
  return links.filter((link) => link.status !== 'revoked');
}

async function findLink(ports: ShareableLinkPorts, principal: Principal, id: number): Promise<EmbedLink> {
  const link = (await linksOf(ports, principal)).find((candidate) => candidate.id === id);
  if (!link) throw notFound('shareable link', String(id));
  return link;
}

export function registerShareableLinkRoutes(api: App, ports: ShareableLinkPorts): void {
  holisticsRoute<{
    Querystring: CursorQuery & {
      sort: 'natural' | 'id_asc' | 'id_desc';
      resource_type?: string;
      resource_id?: number;
    };
  }>(api, 'ShareableLinks_List', async (request) => {
    const { sort, resource_id } = request.query;
    const links = await linksOf(ports, principalOf(request), resource_id);
    const keyOf =
      sort === 'id_desc' ? (link: EmbedLink) => 10 ** 15 - 1 - link.id : (link: EmbedLink) => link.id;
    const { items, cursors } = cursorPage(links, request.query, keyOf);
    return { shareable_links: items.map(linkJson), cursors };
  });

  holisticsRoute<LinkBody>(api, 'ShareableLinks_Create', async (request, reply) => {
    const input = request.body.shareable_link;
    checkSupported(input);
    const { token, embed } = await ports.embeds
      .create(principalOf(request), input.resource_id, { expiresInSeconds: lifetimeOf(input.expired_at) })
      .catch((error: unknown) => {
        throw renameFields(error, (path) => (path === 'expiresInSeconds' ? `${FIELD}.expired_at` : path));
      });
    return reply
      .status(201)
      .send({ shareable_link: { ...linkJson(embed), url: embedUrlOf(request, token) } });
  });

  holisticsRoute<IdParams>(api, 'ShareableLinks_Get', async (request) => ({
    shareable_link: linkJson(await findLink(ports, principalOf(request), request.params.id)),
  }));

  /** An embed link cannot change once made: an update may only restate it (create another link otherwise). */
  holisticsRoute<IdParams & LinkBody>(api, 'ShareableLinks_Update', async (request) => {
    const link = await findLink(ports, principalOf(request), request.params.id);
    const input = request.body.shareable_link;
    checkSupported(input);
    if (input.resource_id !== link.dashboardId)
      throw validationError(`${FIELD}.resource_id`, 'a link keeps its dashboard');
    if (
      input.expired_at !== undefined &&
      (input.expired_at === null || Date.parse(input.expired_at) !== Date.parse(link.expiresAt))
    )
      throw validationError(
        `${FIELD}.expired_at`,
        "a Rosetta link's expiry is set when it is made: create a new link",
      );
    return { shareable_link: linkJson(link) };
  });

  holisticsRoute<IdParams>(api, 'ShareableLinks_Delete', async (request) => {
    const principal = principalOf(request);
    const link = await findLink(ports, principal, request.params.id);
    await ports.embeds.revoke(principal, link.id);
    return { message: 'Shareable Link was deleted successfully' };
  });

  /**
   * Rosetta's embed tokens are already short (32 characters, far below any URL limit): the
   * shortened token of a token that opens the link `hashcode` names is the token itself.
   */
  holisticsRoute<{ Params: { hashcode: string }; Body: { token: string } }>(
    api,
    'Embed_ShortenToken',
    async (request, reply) => {
      const link = await ports.embeds.describe(request.body.token);
      if (link.uuid !== request.params.hashcode) throw notFound('embed', request.params.hashcode);
      return reply.status(201).send({ shortened_token: request.body.token });
    },
    { public: true },
  );
}
