import type { Role } from '../auth/principal.ts';
import type { AttributeType, UserStatus } from './tables.ts';

/** Domain shapes of the directory. Timestamps are ISO-8601 UTC strings, as stored. */

export type { AttributeType, UserStatus };

export interface Organization {
  id: number;
  uuid: string;
  name: string;
}

export interface Project {
  id: number;
  uuid: string;
  organizationId: number;
  name: string;
  isDefault: boolean;
  /** The IANA zone the project's schedules fire in when they name none. */
  schedulerTimezone: string;
  createdAt: string;
}

export interface User {
  id: number;
  uuid: string;
  organizationId: number;
  email: string;
  name: string;
  role: Role;
  status: UserStatus;
  timezone: string;
  /** Whether a password is set (the hash itself never leaves the directory). */
  hasPassword: boolean;
  /** Reaches projects only through project grants, not through `role` (a Lightdash `member`). */
  projectsByGrant: boolean;
  createdAt: string;
  updatedAt: string;
  lastLoginAt: string | null;
}

/**
 * A user as another member of the organization sees them (see visibility.ts): always who they
 * are; the other fields only when the caller may see them, else absent.
 */
export type UserView = Pick<User, 'id' | 'uuid' | 'organizationId' | 'name'> &
  Partial<Omit<User, 'id' | 'uuid' | 'organizationId' | 'name'>>;

export interface NewUser {
  email: string;
  name?: string;
  role?: Role | string;
  password?: string;
  timezone?: string;
  /** Defaults to `active` when a password is given, `pending` otherwise. */
  status?: Exclude<UserStatus, 'deleted'>;
}

export interface UserChanges {
  name?: string;
  role?: Role | string;
  status?: Exclude<UserStatus, 'deleted'>;
  projectsByGrant?: boolean;
  password?: string;
  /** Required with `password` when users change their own: a stolen session cannot lock them out. */
  currentPassword?: string;
  timezone?: string;
}

export interface UserFilter {
  /** Without a status, deleted users are left out. */
  status?: UserStatus;
  /** Case-insensitive substring of the email or the name. */
  search?: string;
  limit?: number;
  offset?: number;
}

export interface Group {
  id: number;
  uuid: string;
  organizationId: number;
  name: string;
  description: string;
  createdAt: string;
  updatedAt: string;
}

export interface GroupInput {
  name?: string;
  description?: string;
}

export interface AttributeDefinition {
  id: number;
  uuid: string;
  organizationId: number;
  key: string;
  type: AttributeType;
  description: string;
  /** What a user holds when neither they nor their groups hold a value; null: nothing. */
  defaultValue: string | null;
  /** How screens and faces name it; the key unless one was given. */
  label: string;
  createdAt: string;
  updatedAt: string;
}

export interface AttributeDefinitionInput {
  key?: string;
  type?: AttributeType | string;
  description?: string;
  /** null clears the default. */
  defaultValue?: AttributeScalar | null;
  /** null or empty: the key. */
  label?: string | null;
}

/** Raw attribute input: per key, one value or several. */
export type AttributeInput = Record<string, AttributeScalar | AttributeScalar[]>;
export type AttributeScalar = string | number | boolean;
