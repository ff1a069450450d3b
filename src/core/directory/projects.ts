import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.ts';
import { nowIso } from '../../store/schema.ts';
import { recordAudit } from '../audit/index.ts';
import { authorize } from '../auth/authorize.ts';
import { type Principal, roleInProject } from '../auth/principal.ts';
import { conflict, notFound, validationError } from '../errors.ts';
import { createDomainEvents, type DomainEvents } from '../events.ts';
import { canonicalTimeZone } from '../query/zone.ts';
import { nextFireTime } from '../schedules/cron.ts';
import { PROJECT_COLUMNS, toProject } from './organizations.ts';
import type { Project } from './types.ts';
import { isUniqueViolation, requiredText } from './validation.ts';

type Db = Kysely<Database>;

/**
 * Projects of an organization (Lightdash is project-centric): models, folders, dashboards, charts
 * and schedules belong to one. Every organization has a default project, which serves the faces
 * that know no projects and cannot be deleted. Every member reads the projects they have access to
 * (project-access.ts); admins manage them.
 */

/** The tables whose rows belong to a project, with the word a refusal to delete uses. */
const PROJECT_CONTENT = [
  ['models', 'model'],
  ['folders', 'folder'],
  ['dashboards', 'dashboard'],
  ['charts', 'chart'],
  ['schedules', 'schedule'],
] as const;

const NAME_MAX = 100;

const columns = PROJECT_COLUMNS;

async function findProject(db: Db, organizationId: number, id: number): Promise<Project | undefined> {
  const row = await db
    .selectFrom('projects')
    .select(columns)
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toProject(row);
}

/**
 * The project a request body names in `field` (default `projectId`), which must be one of the
 * caller's organization: another organization's project is as unknown as a missing one.
 */
export async function projectOf(
  db: Db,
  organizationId: number,
  value: unknown,
  field = 'projectId',
): Promise<number> {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1)
    throw validationError(field, 'must be the integer id of a project');
  if (!(await findProject(db, organizationId, value)))
    throw validationError(field, `project ${value} not found`);
  return value;
}

/** The project a new item goes to: the one the body names, else the caller's default project. */
export async function projectForNew(db: Db, principal: Principal, value: unknown): Promise<number> {
  return value === undefined ? principal.projectId : projectOf(db, principal.organizationId, value);
}

export interface ProjectService {
  list(principal: Principal): Promise<Project[]>;
  get(principal: Principal, id: number): Promise<Project>;
  /** The project of this uuid in the caller's organization; another organization's is not found. */
  getByUuid(principal: Principal, uuid: string): Promise<Project>;
  create(principal: Principal, input: { name: unknown }): Promise<Project>;
  rename(principal: Principal, id: number, input: { name: unknown }): Promise<Project>;
  /**
   * Sets the zone of the project's schedules that name none. The project's schedules in the old
   * zone were most likely created without one, so they move to the new zone with it, at once or
   * not at all; schedules that chose another zone keep it.
   */
  setSchedulerTimezone(
    principal: Principal,
    id: number,
    input: { schedulerTimezone: unknown },
  ): Promise<Project>;
  /** Only an empty project other than the default one may go. */
  delete(principal: Principal, id: number): Promise<void>;
  /** The project content of this one is promoted to, if any. */
  upstreamOf(principal: Principal, id: number): Promise<Project | null>;
  /**
   * Sets (a uuid) or clears (null) the project's upstream: another project of the organization,
   * never one whose own upstream chain leads back here.
   */
  setUpstream(principal: Principal, id: number, upstreamUuid: string | null): Promise<void>;
  /** Checks the caller may promote content of the project (a developer there). */
  authorizePromotion(principal: Principal, id: number): void;
}

/** The zone a new schedule of the project fires in when its body names none. */
export async function projectSchedulerTimezone(db: Db, projectId: number): Promise<string> {
  const row = await db
    .selectFrom('projects')
    .select('scheduler_timezone')
    .where('id', '=', projectId)
    .executeTakeFirst();
  return row?.scheduler_timezone ?? 'UTC';
}

function schedulerZone(value: unknown): string {
  const field = 'schedulerTimezone';
  if (typeof value !== 'string')
    throw validationError(field, 'must be an IANA time zone such as "Europe/Paris"');
  const zone = canonicalTimeZone(value.trim());
  if (!zone) throw validationError(field, `unknown IANA time zone ${JSON.stringify(value)}`);
  return zone;
}

export function createProjectService(db: Db, events: DomainEvents = createDomainEvents()): ProjectService {
  const name = (value: unknown) => requiredText('name', value, NAME_MAX);
  const existing = async (principal: Principal, id: number, from: Db = db) => {
    const project = await findProject(from, principal.organizationId, id);
    if (!project) throw notFound('project', id);
    return project;
  };
  const named = async <T>(text: string, write: () => Promise<T>): Promise<T> => {
    try {
      return await write();
    } catch (error) {
      if (isUniqueViolation(error))
        throw conflict(`a project named ${JSON.stringify(text)} already exists`, 'name');
      throw error;
    }
  };
  const audit = (principal: Principal, action: string, id: number, details: Record<string, unknown>) =>
    recordAudit(db, principal, { action, target: { type: 'project', id }, details });

  return {
    async list(principal) {
      authorize(principal, 'project.read');
      const rows = await db
        .selectFrom('projects')
        .select(columns)
        .where('organization_id', '=', principal.organizationId)
        .orderBy('id')
        .execute();
      return rows.filter((row) => roleInProject(principal, row.id) !== undefined).map(toProject);
    },

    async get(principal, id) {
      authorize(principal, 'project.read');
      const project = await existing(principal, id);
      authorize(principal, 'project.read', { projectId: project.id });
      return project;
    },

    async getByUuid(principal, uuid) {
      authorize(principal, 'project.read');
      const row = await db
        .selectFrom('projects')
        .select(columns)
        .where('organization_id', '=', principal.organizationId)
        .where('uuid', '=', uuid)
        .executeTakeFirst();
      if (!row) throw notFound('project', uuid);
      authorize(principal, 'project.read', { projectId: row.id });
      return toProject(row);
    },

    async create(principal, input) {
      authorize(principal, 'project.manage');
      const text = name(input.name);
      const now = nowIso();
      const row = await named(text, () =>
        db
          .insertInto('projects')
          .values({
            uuid: randomUUID(),
            organization_id: principal.organizationId,
            name: text,
            is_default: 0,
            created_at: now,
            updated_at: now,
          })
          .returning(columns)
          .executeTakeFirstOrThrow(),
      );
      await audit(principal, 'project.create', row.id, { name: text });
      return toProject(row);
    },

    async rename(principal, id, input) {
      authorize(principal, 'project.manage');
      const text = name(input.name);
      const before = await existing(principal, id);
      const row = await named(text, () =>
        db
          .updateTable('projects')
          .set({ name: text, updated_at: nowIso() })
          .where('organization_id', '=', principal.organizationId)
          .where('id', '=', id)
          .returning(columns)
          .executeTakeFirstOrThrow(),
      );
      if (before.name !== text)
        await audit(principal, 'project.rename', id, { before: before.name, after: text });
      return toProject(row);
    },

    async setSchedulerTimezone(principal, id, input) {
      const zone = schedulerZone(input.schedulerTimezone);
      const before = await existing(principal, id);
      authorize(principal, 'project.access', { projectId: id });
      if (before.schedulerTimezone === zone) return before;
      const now = nowIso();
      const row = await db.transaction().execute(async (trx) => {
        const moving = await trx
          .selectFrom('schedules')
          .select(['id', 'cron', 'paused', 'next_run_at'])
          .where('project_id', '=', id)
          .where('timezone', '=', before.schedulerTimezone)
          .execute();
        for (const schedule of moving) {
          // A paused schedule keeps its next run until resumed, which recomputes it (schedules/service.ts).
          const nextRun = schedule.paused
            ? schedule.next_run_at
            : (nextFireTime(schedule.cron, zone, new Date())?.toISOString() ?? null);
          await trx
            .updateTable('schedules')
            .set({ timezone: zone, next_run_at: nextRun, updated_at: now })
            .where('id', '=', schedule.id)
            .execute();
        }
        const updated = await trx
          .updateTable('projects')
          .set({ scheduler_timezone: zone, updated_at: now })
          .where('id', '=', id)
          .returning(columns)
          .executeTakeFirstOrThrow();
        await recordAudit(trx, principal, {
          action: 'project.schedulerTimezone',
          target: { type: 'project', id },
          details: { before: before.schedulerTimezone, after: zone, schedulesMoved: moving.length },
        });
        return updated;
      });
      return toProject(row);
    },

    async delete(principal, id) {
      authorize(principal, 'project.manage');
      await db.transaction().execute(async (trx) => {
        const project = await existing(principal, id, trx);
        if (project.isDefault) throw validationError('id', 'the default project cannot be deleted');
        const held: string[] = [];
        for (const [table, noun] of PROJECT_CONTENT) {
          const { count } = await trx
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('count'))
            .where('project_id', '=', id)
            .executeTakeFirstOrThrow();
          if (Number(count) > 0) held.push(`${count} ${noun}${Number(count) === 1 ? '' : 's'}`);
        }
        if (held.length > 0)
          throw conflict(
            `the project still holds ${held.join(', ')} (those in the trash included): move or delete them first`,
          );
        // MariaDB ignores an inline foreign key: the projects promoting here lose their upstream by hand.
        await trx
          .updateTable('projects')
          .set({ upstream_project_id: null })
          .where('upstream_project_id', '=', id)
          .execute();
        await trx.deleteFrom('projects').where('id', '=', id).execute();
        await recordAudit(trx, principal, {
          action: 'project.delete',
          target: { type: 'project', id },
          details: { name: project.name },
        });
      });
      await events.emit('objectPurged', { organizationId: principal.organizationId, kind: 'project', id });
    },

    async upstreamOf(principal, id) {
      authorize(principal, 'project.read', { projectId: id });
      const project = await existing(principal, id);
      const row = await db
        .selectFrom('projects')
        .select('upstream_project_id')
        .where('id', '=', project.id)
        .executeTakeFirstOrThrow();
      return row.upstream_project_id === null ? null : existing(principal, row.upstream_project_id);
    },

    async setUpstream(principal, id, upstreamUuid) {
      authorize(principal, 'project.manage', { projectId: id });
      const project = await existing(principal, id);
      let upstreamId: number | null = null;
      if (upstreamUuid !== null) {
        const field = 'upstreamProjectUuid';
        const upstream = await db
          .selectFrom('projects')
          .select(['id', 'upstream_project_id'])
          .where('organization_id', '=', principal.organizationId)
          .where('uuid', '=', upstreamUuid)
          .executeTakeFirst();
        if (!upstream) throw validationError(field, `no project ${upstreamUuid} in the organization`);
        if (upstream.id === project.id) throw validationError(field, 'a project cannot be its own upstream');
        for (let next = upstream.upstream_project_id; next !== null; ) {
          if (next === project.id)
            throw validationError(field, 'the upstream project promotes to this one: that would be a cycle');
          const row = await db
            .selectFrom('projects')
            .select('upstream_project_id')
            .where('id', '=', next)
            .executeTakeFirst();
          next = row?.upstream_project_id ?? null;
        }
        upstreamId = upstream.id;
      }
      await db
        .updateTable('projects')
        .set({ upstream_project_id: upstreamId, updated_at: nowIso() })
        .where('id', '=', project.id)
        .execute();
      await audit(principal, 'project.upstream', project.id, { upstreamProjectId: upstreamId });
    },

    authorizePromotion(principal, id) {
      authorize(principal, 'model.manage', { projectId: id });
    },
  };
}
