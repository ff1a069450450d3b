import type { Role } from './principal.ts';

/**
 * Every action Rosetta authorizes, with the least role that may take it and the credentials that
 * may carry it. This is the one permission table of the product: `authorize` enforces it, every
 * core service calls `authorize`, every route of every face names its action, and the README's
 * role table is this table (the permission-matrix test asserts the three agree).
 *
 * Credentials are capability sets, not route lists:
 * - `session` (a password login) and `apiKey` (a full API key) act as their user;
 * - `script` is the short-lived key of a script run: its owner's rights, but it mints no credentials;
 * - `dataKey` (an API key restricted to data sources) lists and queries those sources, nothing else;
 * - `embed` (an embed token's session) views its one dashboard and runs that dashboard's widgets.
 */
export const credentialKinds = ['session', 'apiKey', 'script', 'dataKey', 'embed'] as const;
export type CredentialKind = (typeof credentialKinds)[number];

export interface ActionRule {
  /** The least role of the user behind the credential. */
  role: Role;
  credentials: readonly CredentialKind[];
  /** What a refusal says the caller may not do. */
  label: string;
}

const asUser = ['session', 'apiKey', 'script'] as const;
const personal = ['session', 'apiKey'] as const;

const rule = (role: Role, credentials: readonly CredentialKind[], label: string): ActionRule => ({
  role,
  credentials,
  label,
});

export const actions = {
  'dashboard.view': rule('viewer', [...asUser, 'embed'], 'view dashboards'),
  'dashboard.run': rule('viewer', [...asUser, 'embed'], "run a dashboard's widgets"),
  'dashboard.export': rule('viewer', asUser, 'export dashboards'),
  'dashboard.edit': rule('editor', asUser, 'create or change dashboards and folders'),
  'content.admin': rule('admin', asUser, 'manage every folder and dashboard'),
  'favourite.manage': rule('viewer', personal, 'keep favourites'),
  'comment.create': rule('interactive_viewer', asUser, 'comment on dashboards'),
  'embed.create': rule('editor', asUser, 'create or revoke embed links'),
  'query.adhoc': rule('interactive_viewer', [...asUser, 'dataKey'], 'run ad-hoc queries'),
  'query.sql': rule('developer', asUser, 'write SQL expressions in queries'),
  'source.read': rule('viewer', [...asUser, 'dataKey'], 'read data sources'),
  'source.write': rule('editor', asUser, 'push data into storage sources'),
  'source.manage': rule('developer', asUser, 'create, change or delete data sources'),
  'model.read': rule('viewer', [...asUser, 'dataKey'], 'read models'),
  'model.manage': rule('developer', asUser, 'create, change or delete models'),
  'connection.read': rule('developer', asUser, 'read, test or browse connections'),
  'connection.manage': rule('admin', asUser, 'create, change or delete connections'),
  'sql.run': rule('developer', asUser, 'run SQL on connections'),
  'cache.invalidate': rule('developer', asUser, 'invalidate the query cache'),
  'rows.all': rule('admin', asUser, 'read rows outside the row policies'),
  'job.own': rule('viewer', asUser, 'follow jobs'),
  'job.all': rule('admin', asUser, "follow other users' jobs"),
  'schedule.manage': rule('editor', asUser, 'manage schedules and alerts'),
  'schedule.all': rule('admin', asUser, "manage other users' schedules and alerts"),
  'email.send': rule('editor', asUser, 'send emails'),
  'outbox.read': rule('admin', asUser, 'read the outbox'),
  'outbox.resend': rule('admin', asUser, 'resend emails from the outbox'),
  'script.read': rule('editor', asUser, 'read scripts'),
  'script.manage': rule('developer', asUser, 'create, change or delete scripts'),
  'script.run': rule('developer', asUser, 'run scripts'),
  'directory.read': rule('viewer', asUser, 'list users and groups'),
  'directory.contacts': rule('editor', asUser, "see other users' emails, roles and status"),
  'directory.manage': rule('admin', asUser, 'manage users, groups and attributes'),
  'organization.manage': rule('admin', asUser, 'rename the organization'),
  'project.read': rule('viewer', asUser, 'list projects'),
  'project.manage': rule('admin', asUser, 'create, rename or delete projects'),
  'project.access': rule('admin', asUser, 'manage who may use a project'),
  'profile.edit': rule('viewer', personal, 'change your name, password or timezone'),
  'apikey.own': rule('viewer', personal, 'manage your API keys'),
  // Lightdash's personal access tokens are minted from a signed-in session only: a leaked token
  // cannot mint itself successors.
  'apikey.personal': rule('viewer', ['session'], 'manage personal access tokens'),
  'apikey.all': rule('admin', personal, "manage other users' API keys"),
  'audit.read': rule('admin', asUser, 'read the audit log'),
} as const satisfies Record<string, ActionRule>;

export type Action = keyof typeof actions;

/**
 * The actions on things of a project whose check without a project is always followed by one on
 * the item, with its project (content, models, queries of models, schedules): checked before the
 * project is known, they judge the best role in any project (principal.ts `atBest`), and the
 * item's check decides. Every action checked with a project judges the role there; the others,
 * checked without one, the organization role — so the "everything" rights (`content.admin`,
 * `schedule.all`, `rows.all`) and SQL authorship never come from a grant elsewhere.
 */
export const projectActions: ReadonlySet<Action> = new Set<Action>([
  'dashboard.view',
  'dashboard.run',
  'dashboard.export',
  'dashboard.edit',
  'embed.create',
  'query.adhoc',
  'model.read',
  'model.manage',
  'schedule.manage',
  'project.access',
]);
