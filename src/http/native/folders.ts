import { Type } from 'typebox';
import { type ContentService, folderKinds } from '../../core/content/index.ts';
import { validationError } from '../../core/errors.ts';
import { listReply, PageQuery } from '../kit/paging.ts';
import { type App, principalOf } from '../server.ts';
import { IdParams, ProjectIdField, ProjectQuery, projectFilter, RefSchema } from './schemas.ts';

/** What the content routes need from the composition root. */
export interface ContentRouteDeps {
  content: ContentService;
}

export const AccessEntrySchema = Type.Object(
  {
    subject: Type.Union([Type.Literal('user'), Type.Literal('group')]),
    id: Type.Integer({ minimum: 1 }),
    level: Type.Union([Type.Literal('view'), Type.Literal('edit')]),
  },
  { additionalProperties: false },
);

const FolderKindSchema = Type.Union(folderKinds.map((kind) => Type.Literal(kind)));

const folderFields = {
  name: Type.String({ minLength: 1, maxLength: 255 }),
  description: Type.Optional(Type.Union([Type.String({ maxLength: 10_000 }), Type.Null()])),
  parentId: Type.Optional(Type.Union([RefSchema, Type.Null()])),
  projectId: Type.Optional(ProjectIdField),
};

const FolderCreateBody = Type.Object(
  {
    ...folderFields,
    kind: Type.Optional(FolderKindSchema),
    access: Type.Optional(Type.Array(AccessEntrySchema, { maxItems: 500 })),
  },
  { additionalProperties: false },
);
const FolderPatchBody = Type.Object(
  { ...folderFields, name: Type.Optional(folderFields.name) },
  { additionalProperties: false, minProperties: 1 },
);

/** Folders under `/folders`; access lists under `/folders/:id/access`. */
export function registerFolderRoutes(app: App, deps: ContentRouteDeps): void {
  const { folders } = deps.content;

  app.get(
    '/folders',
    {
      schema: {
        querystring: Type.Object({
          format: Type.Optional(Type.Union([Type.Literal('flat'), Type.Literal('tree')])),
          kind: Type.Optional(FolderKindSchema),
          ...PageQuery,
          ...ProjectQuery,
        }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const options = { kind: request.query.kind, projectId: projectFilter(request.query) };
      if (request.query.format !== 'tree')
        return listReply(await folders.list(principal, options), request.query);
      // A page of a tree would cut subtrees apart: the tree is always whole.
      if (request.query.limit !== undefined || request.query.after !== undefined) {
        throw validationError('format', 'the tree is not paged; page the flat list');
      }
      return { items: await folders.tree(principal, options) };
    },
  );

  app.get('/folders/:id', { schema: { params: IdParams } }, async (request) =>
    folders.get(principalOf(request), request.params.id),
  );

  app.post('/folders', { schema: { body: FolderCreateBody } }, async (request, reply) =>
    reply.status(201).send(await folders.create(principalOf(request), request.body)),
  );

  app.patch('/folders/:id', { schema: { params: IdParams, body: FolderPatchBody } }, async (request) =>
    folders.update(principalOf(request), request.params.id, request.body),
  );

  app.put(
    '/folders/:id/access',
    {
      schema: {
        params: IdParams,
        body: Type.Object(
          { access: Type.Array(AccessEntrySchema, { maxItems: 500 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => folders.setAccess(principalOf(request), request.params.id, request.body.access),
  );

  app.delete(
    '/folders/:id',
    {
      schema: {
        params: IdParams,
        querystring: Type.Object({
          recursive: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
        }),
      },
    },
    async (request, reply) => {
      await folders.delete(principalOf(request), request.params.id, {
        recursive: request.query.recursive === 'true',
      });
      return reply.status(204).send();
    },
  );
}
