import { Type } from 'typebox';
import { listReply, PageQuery } from '../kit/paging.ts';
import { type App, principalOf } from '../server.ts';
import type { ContentRouteDeps } from './folders.ts';
import { IdParams } from './schemas.ts';

/**
 * The caller's favourite dashboards: `PUT`/`DELETE /dashboards/:id/favourite` star and unstar
 * (both idempotent, 204), `GET /me/favourites` lists the visible ones, most recently starred first.
 */
export function registerFavouriteRoutes(app: App, deps: ContentRouteDeps): void {
  const { favourites } = deps.content;

  app.get('/me/favourites', { schema: { querystring: Type.Object(PageQuery) } }, async (request) =>
    listReply(await favourites.list(principalOf(request)), request.query),
  );

  app.put('/dashboards/:id/favourite', { schema: { params: IdParams } }, async (request, reply) => {
    await favourites.mark(principalOf(request), request.params.id);
    return reply.status(204).send();
  });

  app.delete('/dashboards/:id/favourite', { schema: { params: IdParams } }, async (request, reply) => {
    await favourites.unmark(principalOf(request), request.params.id);
    return reply.status(204).send();
  });
}
