import { Type } from 'typebox';
import type { DirectoryService } from '../../core/directory/index.ts';
import { listReply, NextField, PageQuery } from '../kit/paging.ts';
import { type App, principalOf } from '../server.ts';
// Schema errors as coded 400s naming the field; shared with the content routes (belongs in server.ts).
import { IdParams, UserList } from './users.ts';

const GroupSchema = Type.Object({
  id: Type.Integer(),
  uuid: Type.String(),
  name: Type.String(),
  description: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

const groupFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.Optional(Type.String({ maxLength: 2000 })),
};
const GroupCreateBody = Type.Object(groupFields, { additionalProperties: false });
const GroupPatchBody = Type.Object(
  { ...groupFields, name: Type.Optional(groupFields.name) },
  { additionalProperties: false, minProperties: 1 },
);
const MemberBody = Type.Object({ userId: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });
const MemberParams = Type.Object({
  id: IdParams.properties.id,
  userId: IdParams.properties.id,
});

/**
 * Groups under `/groups`, members under `/groups/:id/members`. Adding a member twice answers
 * 409 and removing a non-member 404, so a client learns its view of the group was stale.
 */
export function registerGroupRoutes(app: App, deps: { directory: DirectoryService }): void {
  const { directory } = deps;
  const item = { 200: GroupSchema };

  app.get(
    '/groups',
    {
      schema: {
        querystring: Type.Object(PageQuery),
        response: { 200: Type.Object({ items: Type.Array(GroupSchema), ...NextField }) },
      },
    },
    async (request) => listReply(await directory.listGroups(principalOf(request)), request.query),
  );

  app.post(
    '/groups',
    { schema: { body: GroupCreateBody, response: { 201: GroupSchema } } },
    async (request, reply) =>
      reply.status(201).send(await directory.createGroup(principalOf(request), request.body)),
  );

  app.get('/groups/:id', { schema: { params: IdParams, response: item } }, async (request) =>
    directory.getGroup(principalOf(request), Number(request.params.id)),
  );

  app.patch(
    '/groups/:id',
    { schema: { params: IdParams, body: GroupPatchBody, response: item } },
    async (request) => directory.updateGroup(principalOf(request), Number(request.params.id), request.body),
  );

  app.delete('/groups/:id', { schema: { params: IdParams } }, async (request, reply) => {
    await directory.deleteGroup(principalOf(request), Number(request.params.id));
    return reply.status(204).send();
  });

  app.get(
    '/groups/:id/members',
    { schema: { params: IdParams, querystring: Type.Object(PageQuery), response: { 200: UserList } } },
    async (request) =>
      listReply(await directory.listMembers(principalOf(request), Number(request.params.id)), request.query),
  );

  app.post(
    '/groups/:id/members',
    { schema: { params: IdParams, body: MemberBody } },
    async (request, reply) => {
      await directory.addMember(principalOf(request), Number(request.params.id), request.body.userId);
      return reply.status(204).send();
    },
  );

  app.delete('/groups/:id/members/:userId', { schema: { params: MemberParams } }, async (request, reply) => {
    await directory.removeMember(
      principalOf(request),
      Number(request.params.id),
      Number(request.params.userId),
    );
    return reply.status(204).send();
  });
}
