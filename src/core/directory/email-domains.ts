import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.ts';
import { fieldError, validationError } from '../errors.ts';

type Db = Kysely<Database>;

/** Roles who joins by email domain may get: never more than an editor's, as Lightdash allows. */
export const DOMAIN_ORGANIZATION_ROLES = ['member', 'viewer', 'interactive_viewer', 'editor'] as const;
export const DOMAIN_PROJECT_ROLES = ['viewer', 'interactive_viewer', 'editor'] as const;
export type DomainOrganizationRole = (typeof DOMAIN_ORGANIZATION_ROLES)[number];
export type DomainProjectRole = (typeof DOMAIN_PROJECT_ROLES)[number];

export interface AllowedEmailDomains {
  domains: string[];
  role: DomainOrganizationRole;
  projects: { projectId: number; projectUuid: string; role: DomainProjectRole }[];
}

export interface AllowedEmailDomainsInput {
  emailDomains?: unknown;
  role?: unknown;
  projects?: unknown;
}

/**
 * Public mail providers: anyone may hold an address there, so owning one proves nothing about
 * belonging to an organization (the list Lightdash refuses).
 */
// biome-ignore format: a word list reads best packed
const PUBLIC_PROVIDERS = new Set([
  'gmail.com', 'googlemail.com', 'yahoo.com', 'hotmail.com', 'aol.com', 'hotmail.co.uk', 'hotmail.fr',
  'msn.com', 'yahoo.fr', 'wanadoo.fr', 'orange.fr', 'comcast.net', 'yahoo.co.uk', 'yahoo.com.br',
  'yahoo.co.in', 'live.com', 'rediffmail.com', 'free.fr', 'gmx.de', 'gmx.com', 'web.de', 'yandex.ru',
  'outlook.com', 'uol.com.br', 'bol.com.br', 'mail.ru', 'cox.net', 'hotmail.it', 'sbcglobal.net',
  'sfr.fr', 'live.fr', 'verizon.net', 'live.co.uk', 'yahoo.es', 'ig.com.br', 'live.nl', 'bigpond.com',
  'terra.com.br', 'yahoo.it', 'yahoo.de', 'rocketmail.com', 'yahoo.in', 'hotmail.es', 'hotmail.de',
  'shaw.ca', 'yahoo.co.jp', 'sky.com', 'blueyonder.co.uk', 'icloud.com', 'me.com', 'mac.com',
  'protonmail.com', 'proton.me', 'zoho.com', 'mail.com', 'aim.com', 'ymail.com', 'qq.com', '163.com',
]);

/** A host name of two or more labels, the last one alphabetic (no addresses, no paths). */
const DOMAIN = /^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const MAX_DOMAINS = 100;

export const emailDomainOf = (email: string): string => email.slice(email.lastIndexOf('@') + 1).toLowerCase();

/** The domain as stored, or an ERR_VALIDATION naming `field`. */
export function validDomain(field: string, value: unknown): string {
  if (typeof value !== 'string') throw validationError(field, 'must be a string');
  const domain = value.trim().toLowerCase();
  if (!DOMAIN.test(domain)) throw validationError(field, `${JSON.stringify(value)} is not an email domain`);
  if (PUBLIC_PROVIDERS.has(domain))
    throw validationError(
      field,
      `${domain} is not allowed as organization email domain: anyone may have an address there`,
    );
  return domain;
}

const oneOf = <T extends string>(field: string, allowed: readonly T[], value: unknown): T => {
  if (!allowed.includes(value as T)) throw validationError(field, `must be one of ${allowed.join(', ')}`);
  return value as T;
};

/** The organization's settings, or the defaults (no domain, viewers) when never set. */
export async function readAllowedDomains(db: Db, organizationId: number): Promise<AllowedEmailDomains> {
  const row = await db
    .selectFrom('organization_email_domains')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .executeTakeFirst();
  if (!row) return { domains: [], role: 'viewer', projects: [] };
  const stored = JSON.parse(row.projects) as { projectId: number; role: DomainProjectRole }[];
  // Projects deleted since are dropped here rather than kept pointing at nothing.
  const projects = stored.length
    ? await db
        .selectFrom('projects')
        .select(['id', 'uuid'])
        .where('organization_id', '=', organizationId)
        .where(
          'id',
          'in',
          stored.map((p) => p.projectId),
        )
        .execute()
    : [];
  const uuidOf = new Map(projects.map((p) => [p.id, p.uuid]));
  return {
    domains: JSON.parse(row.domains) as string[],
    role: row.role as DomainOrganizationRole,
    projects: stored.flatMap((p) => {
      const projectUuid = uuidOf.get(p.projectId);
      return projectUuid ? [{ projectId: p.projectId, projectUuid, role: p.role }] : [];
    }),
  };
}

/** Replaces the settings after checking all of them: nothing is stored from a refused input. */
export async function writeAllowedDomains(
  db: Db,
  organizationId: number,
  input: AllowedEmailDomainsInput,
  now: Date,
): Promise<AllowedEmailDomains> {
  if (!Array.isArray(input.emailDomains))
    throw validationError('emailDomains', 'must be an array of domains');
  if (input.emailDomains.length > MAX_DOMAINS)
    throw validationError('emailDomains', `must hold at most ${MAX_DOMAINS} domains`);
  const domains = [
    ...new Set(input.emailDomains.map((domain, i) => validDomain(`emailDomains[${i}]`, domain))),
  ];
  const role = oneOf('role', DOMAIN_ORGANIZATION_ROLES, input.role);
  if (!Array.isArray(input.projects)) throw validationError('projects', 'must be an array');
  const projects: { projectId: number; role: DomainProjectRole }[] = [];
  for (const [i, entry] of input.projects.entries()) {
    const { projectUuid, role: projectRole } = (entry ?? {}) as { projectUuid?: unknown; role?: unknown };
    if (typeof projectUuid !== 'string' || projectUuid.length > 64)
      throw validationError(`projects[${i}].projectUuid`, 'must be a project uuid');
    const checkedRole = oneOf(`projects[${i}].role`, DOMAIN_PROJECT_ROLES, projectRole);
    const project = await db
      .selectFrom('projects')
      .select('id')
      .where('organization_id', '=', organizationId)
      .where('uuid', '=', projectUuid)
      .executeTakeFirst();
    if (!project)
      throw fieldError('ERR_NOT_FOUND', `projects[${i}].projectUuid`, `project ${projectUuid} not found`);
    if (projects.some((p) => p.projectId === project.id))
      throw validationError(`projects[${i}].projectUuid`, 'names a project already listed');
    projects.push({ projectId: project.id, role: checkedRole });
  }
  const row = {
    domains: JSON.stringify(domains),
    role,
    projects: JSON.stringify(projects),
    updated_at: now.toISOString(),
  };
  await db
    .insertInto('organization_email_domains')
    .values({ organization_id: organizationId, ...row })
    .onConflict((oc) => oc.column('organization_id').doUpdateSet(row))
    .execute();
  return readAllowedDomains(db, organizationId);
}
