import type { Attributes, Role } from '../../../core/auth/index.ts';
import type { AttributeInput, Group, UserView } from '../../../core/directory/index.ts';
import { validationError } from '../../../core/errors.ts';

/**
 * Serenytics user categories onto the role lattice: a business analyst (`studio_dashboard`)
 * edits dashboards, `studio` also builds data sources and scripts.
 */
const roleOfCategory: Record<string, Role> = {
  viewer: 'viewer',
  studio_dashboard: 'editor',
  studio: 'developer',
  admin: 'admin',
};
const categoryOfRole: Record<Role, string> = {
  viewer: 'viewer',
  interactive_viewer: 'viewer',
  editor: 'studio_dashboard',
  developer: 'studio',
  admin: 'admin',
};

export function roleOf(category: unknown): Role {
  const role = roleOfCategory[String(category)];
  if (!role) throw validationError('category', `must be one of ${Object.keys(roleOfCategory).join(', ')}`);
  return role;
}

/** `login_metadata` is a flat object; single-valued attributes read back as scalars. */
export function metadataOf(attributes: Attributes): Record<string, string | string[]> {
  return Object.fromEntries(
    Object.entries(attributes).map(([key, values]) => [key, values.length === 1 ? values[0] : values]),
  );
}

export function metadataInput(metadata: unknown): AttributeInput {
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata))
    throw validationError('login_metadata', 'must be an object');
  for (const [key, value] of Object.entries(metadata)) {
    const values = Array.isArray(value) ? value : [value];
    if (!values.every((v) => ['string', 'number', 'boolean'].includes(typeof v)))
      throw validationError(`login_metadata.${key}`, 'must be a string, number, boolean or a list of them');
  }
  // Serenytics metadata is untyped: values are kept as the strings row filters compare to.
  return Object.fromEntries(
    Object.entries(metadata).map(([key, value]) => [
      key,
      Array.isArray(value) ? value.map(String) : String(value),
    ]),
  );
}

/** Fields the caller may not see (core/directory/visibility.ts) are left out. */
export const userJson = (user: UserView, attributes: Attributes) => ({
  uuid: user.uuid,
  username: user.email,
  name: user.name,
  category: user.role && categoryOfRole[user.role],
  login_metadata: metadataOf(attributes),
  status: user.status,
  created_at: user.createdAt,
  updated_at: user.updatedAt,
});

export const groupJson = (group: Group) => ({
  uuid: group.uuid,
  name: group.name,
  description: group.description,
  created_at: group.createdAt,
});
