import { type App, principalOf } from '../server.ts';
import type { ContentRouteDeps } from './folders.ts';
import { IdParams } from './schemas.ts';

/**
 * The caller's favourite dashboards: `PUT`/`DELETE /dashboards/:id/favourite` star and unstar
 * (both idempotent, 204), `GET /me/favourites` lists the visible ones, most recently starred first.
 */
export function registerFavouriteRoutes(app: App, deps: ContentRouteDeps): void {
  const { favourites } = deps.content;

  app.get('/me/favourites', async (request) => ({ items: await favourites.list(principalOf(request)) }));

  app.put('/dashboards/:id/favourite', { schema: { params: IdParams } }, async (request, reply) => {
    await favourites.mark(principalOf(request), request.params.id);
    return reply.status(204).send();
  });

  app.delete('/dashboards/:id/favourite', { schema: { params: IdParams } }, async (request, reply) => {
    await favourites.unmark(principalOf(request), request.params.id);
    return reply.status(204).send();
  });
}
