import { Type } from 'typebox';
import { type TrashService, trashOrder } from '../../core/trash/index.ts';
import { listReply, PageQuery } from '../kit/paging.ts';
import { type App, principalOf } from '../server.ts';

/** `:kind/:id`; the core checks both (a 400 naming the field). */
const TrashParams = Type.Object({
  kind: Type.String({ minLength: 1, maxLength: 32 }),
  id: Type.String({ minLength: 1, maxLength: 20 }),
});

/**
 * The trash: `GET /trash` lists what the caller may restore (dashboards, charts, data sources,
 * connections), `POST /trash/:kind/:id/restore` brings one back, `DELETE /trash/:kind/:id` destroys
 * it for good. Things stay 30 days, then are purged.
 */
export function registerTrashRoutes(app: App, deps: { trash: TrashService }): void {
  const { trash } = deps;

  app.get('/trash', { schema: { querystring: Type.Object(PageQuery) } }, async (request) =>
    listReply(await trash.list(principalOf(request)), request.query, trashOrder),
  );

  app.post('/trash/:kind/:id/restore', { schema: { params: TrashParams } }, async (request, reply) => {
    await trash.restore(principalOf(request), request.params.kind, request.params.id);
    return reply.status(204).send();
  });

  app.delete('/trash/:kind/:id', { schema: { params: TrashParams } }, async (request, reply) => {
    await trash.purge(principalOf(request), request.params.kind, request.params.id);
    return reply.status(204).send();
  });
}
