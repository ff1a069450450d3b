import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.ts';
import { nowIso } from '../../store/schema.ts';
import { recordAudit } from '../audit/index.ts';
import { authorize } from '../auth/authorize.ts';
import { higherRole, isRole, type Principal, type Role, roles } from '../auth/principal.ts';
import { conflict, notFound, validationError } from '../errors.ts';

type Db = Kysely<Database>;

/**
 * Project access (Lightdash's project roles): a user or a group may hold a role in one project.
 * A user's role in a project is the highest of their organization role, their own grant and their
 * groups' grants (`roleInProject` in core/auth), except for users who reach projects only by
 * grant (a Lightdash `member`), whose organization role gives them no project at all.
 * Grants are managed by whoever is admin *in that project* (`project.access` there).
 */

export const GRANT_SUBJECTS = ['user', 'group'] as const;
export type GrantSubjectKind = (typeof GRANT_SUBJECTS)[number];

export interface GrantSubject {
  kind: GrantSubjectKind;
  id: number;
}

export interface ProjectGrant {
  projectId: number;
  subject: GrantSubject;
  role: Role;
  createdAt: string;
}

/** How `grant` treats an existing grant: `new` refuses it (409), `change` needs it (404), `set` either. */
export type GrantMode = 'new' | 'change' | 'set';

export interface ProjectAccessService {
  /** The explicit grants of a project, users first; access through the organization role is not listed. */
  list(principal: Principal, projectId: number): Promise<ProjectGrant[]>;
  /** One subject's grant; 404 when it has none. */
  get(principal: Principal, projectId: number, subject: GrantSubject): Promise<ProjectGrant>;
  grant(
    principal: Principal,
    projectId: number,
    subject: GrantSubject,
    role: unknown,
    mode: GrantMode,
  ): Promise<ProjectGrant>;
  /** False when there was no grant to revoke. */
  revoke(principal: Principal, projectId: number, subject: GrantSubject): Promise<boolean>;
}

/** The best role the user's own grant and their groups' grants give, by project. */
export async function projectRolesOf(
  db: Db,
  userId: number,
  groupIds: readonly number[],
): Promise<Record<number, Role>> {
  const rows = await db
    .selectFrom('project_grants')
    .select(['project_id', 'role'])
    .where((eb) =>
      eb.or([
        eb.and([eb('subject', '=', 'user'), eb('subject_id', '=', userId)]),
        ...(groupIds.length > 0
          ? [eb.and([eb('subject', '=', 'group'), eb('subject_id', 'in', groupIds)])]
          : []),
      ]),
    )
    .execute();
  const best: Record<number, Role> = {};
  for (const { project_id, role } of rows) {
    if (!isRole(role)) continue;
    const held = best[project_id];
    best[project_id] = held === undefined ? role : higherRole(held, role);
  }
  return best;
}

const toGrant = (row: {
  project_id: number;
  subject: GrantSubjectKind;
  subject_id: number;
  role: string;
  created_at: string;
}): ProjectGrant => ({
  projectId: row.project_id,
  subject: { kind: row.subject, id: row.subject_id },
  role: row.role as Role,
  createdAt: row.created_at,
});

export function createProjectAccessService(db: Db): ProjectAccessService {
  /** Admins of the project manage its access; the project must be of the caller's organization. */
  const managed = async (principal: Principal, projectId: number) => {
    const project = await db
      .selectFrom('projects')
      .select('id')
      .where('organization_id', '=', principal.organizationId)
      .where('id', '=', projectId)
      .executeTakeFirst();
    if (!project) throw notFound('project', projectId);
    authorize(principal, 'project.access', { projectId });
  };

  /** The subject must be a live user or a group of the caller's organization. */
  const existingSubject = async (principal: Principal, subject: GrantSubject) => {
    const found =
      subject.kind === 'user'
        ? await db
            .selectFrom('users')
            .select('id')
            .where('organization_id', '=', principal.organizationId)
            .where('id', '=', subject.id)
            .where('status', '!=', 'deleted')
            .executeTakeFirst()
        : await db
            .selectFrom('groups')
            .select('id')
            .where('organization_id', '=', principal.organizationId)
            .where('id', '=', subject.id)
            .executeTakeFirst();
    if (!found) throw notFound(subject.kind, subject.id);
  };

  const findGrant = (projectId: number, subject: GrantSubject, from: Db = db) =>
    from
      .selectFrom('project_grants')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('subject', '=', subject.kind)
      .where('subject_id', '=', subject.id)
      .executeTakeFirst();

  const audit = (principal: Principal, action: string, projectId: number, details: Record<string, unknown>) =>
    recordAudit(db, principal, { action, target: { type: 'project', id: projectId }, details });

  return {
    async list(principal, projectId) {
      await managed(principal, projectId);
      const rows = await db
        .selectFrom('project_grants')
        .leftJoin('users', (join) =>
          join.onRef('users.id', '=', 'project_grants.subject_id').on('project_grants.subject', '=', 'user'),
        )
        .selectAll('project_grants')
        .where('project_grants.project_id', '=', projectId)
        .where((eb) => eb.or([eb('users.status', 'is', null), eb('users.status', '!=', 'deleted')]))
        .orderBy('project_grants.subject', 'desc')
        .orderBy('project_grants.subject_id')
        .execute();
      return rows.map(toGrant);
    },

    async get(principal, projectId, subject) {
      await managed(principal, projectId);
      const row = await findGrant(projectId, subject);
      if (!row) throw notFound(`${subject.kind}'s access to project`, subject.id);
      return toGrant(row);
    },

    async grant(principal, projectId, subject, role, mode) {
      if (!isRole(role)) throw validationError('role', `must be one of ${roles.join(', ')}`);
      await managed(principal, projectId);
      await existingSubject(principal, subject);
      return db.transaction().execute(async (trx) => {
        const before = await findGrant(projectId, subject, trx);
        if (before && mode === 'new')
          throw conflict(`this ${subject.kind} already has access to the project: change it instead`);
        if (!before && mode === 'change') throw notFound(`${subject.kind}'s access to project`, subject.id);
        const row = before
          ? await trx
              .updateTable('project_grants')
              .set({ role })
              .where('project_id', '=', projectId)
              .where('subject', '=', subject.kind)
              .where('subject_id', '=', subject.id)
              .returningAll()
              .executeTakeFirstOrThrow()
          : await trx
              .insertInto('project_grants')
              .values({
                project_id: projectId,
                subject: subject.kind,
                subject_id: subject.id,
                role,
                created_at: nowIso(),
              })
              .returningAll()
              .executeTakeFirstOrThrow();
        if (before?.role !== role)
          await recordAudit(trx, principal, {
            action: 'project.access.grant',
            target: { type: 'project', id: projectId },
            details: {
              subject: subject.kind,
              subjectId: subject.id,
              before: before?.role ?? null,
              after: role,
            },
          });
        return toGrant(row);
      });
    },

    async revoke(principal, projectId, subject) {
      await managed(principal, projectId);
      const removed = await db
        .deleteFrom('project_grants')
        .where('project_id', '=', projectId)
        .where('subject', '=', subject.kind)
        .where('subject_id', '=', subject.id)
        .returning('role')
        .executeTakeFirst();
      if (!removed) return false;
      await audit(principal, 'project.access.revoke', projectId, {
        subject: subject.kind,
        subjectId: subject.id,
        before: removed.role,
      });
      return true;
    },
  };
}
