import type { Generated } from 'kysely';

/**
 * Kysely row types of the directory module's tables (see migrations.ts). Conventions of the
 * store: timestamps are ISO-8601 UTC text, booleans 0/1 integers, JSON documents text.
 */

export interface OrganizationsTable {
  id: Generated<number>;
  uuid: string;
  name: string;
  created_at: string;
  updated_at: string;
}

export interface ProjectsTable {
  id: Generated<number>;
  uuid: string;
  organization_id: number;
  name: string;
  /** 1 for the project every organization gets at creation, 0 otherwise. */
  is_default: number;
  /** The IANA zone of the project's schedules that name none; 'UTC' by default. */
  scheduler_timezone: Generated<string>;
  /** The project promotion copies content to; null when none. */
  upstream_project_id: number | null;
  /** The tables its explore list offers, as JSON (table-selection.ts); null: every table. */
  table_selection: string | null;
  created_at: string;
  updated_at: string;
}

export type UserStatus = 'active' | 'pending' | 'deleted';

export interface UsersTable {
  id: Generated<number>;
  uuid: string;
  organization_id: number;
  /** Stored trimmed and lower-cased, so uniqueness and login are case-insensitive. */
  email: string;
  name: string;
  password_hash: string | null;
  role: string;
  status: UserStatus;
  timezone: string;
  created_at: string;
  updated_at: string;
  last_login_at: string | null;
  /** 1 for a Lightdash `member`: the role gives no project access, only project grants do. */
  projects_by_grant: Generated<number>;
}

export interface GroupsTable {
  id: Generated<number>;
  uuid: string;
  organization_id: number;
  name: string;
  description: string;
  created_at: string;
  updated_at: string;
}

export interface GroupMembersTable {
  group_id: number;
  user_id: number;
  created_at: string;
}

export type AttributeType = 'string' | 'number' | 'boolean' | 'date';

export interface AttributeDefinitionsTable {
  id: Generated<number>;
  uuid: string;
  organization_id: number;
  key: string;
  type: AttributeType;
  description: string;
  /** Canonical text of the value users hold when neither they nor their groups hold one; null: none. */
  default_value: string | null;
  /** The label shown for the attribute; null: its key. */
  label: string | null;
  created_at: string;
  updated_at: string;
}

export type AttributeSubjectKind = 'user' | 'group';

/**
 * One row per value (a key may hold several values). Values point at their definition, not its
 * key text, so deleting a definition cascades to its values.
 */
export interface AttributeValuesTable {
  id: Generated<number>;
  definition_id: number;
  subject_kind: AttributeSubjectKind;
  subject_id: number;
  /** Canonical text of the typed value (see core/directory/attribute-types.ts). */
  value: string;
}

export interface ApiKeysTable {
  id: Generated<number>;
  uuid: string;
  user_id: number;
  name: string;
  /** SHA-256 (hex) of the secret: keys are high-entropy, so a slow hash buys nothing. */
  secret_hash: string;
  /** Short non-secret start of the key, shown in lists so users can tell keys apart. */
  prefix: string;
  /** JSON array of data source ids the key is restricted to; null = unrestricted. */
  data_source_ids: string | null;
  /** `standard`, or `script`: the short-lived key of a script run. */
  kind: Generated<string>;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
  /** When the secret was last replaced by a new one; null if never. */
  rotated_at: string | null;
}

export interface SessionsTable {
  /** SHA-256 (hex) of the session token; the token itself is never stored. */
  token_hash: string;
  user_id: number;
  created_at: string;
  expires_at: string;
}

export type PasswordLinkPurpose = 'invitation' | 'reset';

/**
 * Single-use links that let a user set their password: an invitation (the user is pending) or
 * a reset issued by an admin. Only the hash of the token is stored, as for sessions.
 */
export interface PasswordLinksTable {
  id: Generated<number>;
  user_id: number;
  purpose: PasswordLinkPurpose;
  /** SHA-256 (hex) of the token. */
  token_hash: string;
  /** The admin who issued it. */
  created_by: number | null;
  created_at: string;
  /** Issuing a new link for the user sets the earlier unused ones to expire at once. */
  expires_at: string;
  used_at: string | null;
}

/** A role in one project, granted to a user or a group (project-access.ts). */
export interface ProjectGrantsTable {
  project_id: number;
  subject: 'user' | 'group';
  subject_id: number;
  role: string;
  created_at: string;
}

export interface DirectoryTables {
  organizations: OrganizationsTable;
  projects: ProjectsTable;
  users: UsersTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  attribute_definitions: AttributeDefinitionsTable;
  attribute_values: AttributeValuesTable;
  api_keys: ApiKeysTable;
  sessions: SessionsTable;
  password_links: PasswordLinksTable;
  project_grants: ProjectGrantsTable;
}
