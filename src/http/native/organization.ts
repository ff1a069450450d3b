import { Type } from 'typebox';
import type { DirectoryService } from '../../core/directory/index.ts';
import { type App, principalOf } from '../server.ts';

const OrganizationSchema = Type.Object({ id: Type.Integer(), uuid: Type.String(), name: Type.String() });
const RenameBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

/** The caller's organization: `GET /organization`, and `PATCH /organization` to rename it (admins). */
export function registerOrganizationRoutes(app: App, deps: { directory: DirectoryService }): void {
  const { directory } = deps;
  const item = { 200: OrganizationSchema };

  app.get('/organization', { schema: { response: item } }, async (request) =>
    directory.getOrganization(principalOf(request)),
  );

  app.patch('/organization', { schema: { body: RenameBody, response: item } }, async (request) =>
    directory.renameOrganization(principalOf(request), request.body.name),
  );
}
