/** The directory module: organizations, projects, users, groups and typed user attributes. */
export { type AttributeEntry, MAX_ATTRIBUTE_ENTRIES } from './attribute-entries.ts';
export { type SourceReader, setFreeFormAttributes } from './attribute-import.ts';
export { ATTRIBUTE_TYPES } from './attribute-types.ts';
export { type AttributeHolders, effectiveAttributes } from './attribute-values.ts';
export { listAttributeDefinitions } from './attributes.ts';
export { type Memberships, membershipsOf } from './memberships.ts';
export { getDefaultOrganization, getDefaultProject } from './organizations.ts';
export {
  GRANT_SUBJECTS,
  type GrantMode,
  type GrantSubject,
  type GrantSubjectKind,
  type ProjectAccessService,
  type ProjectGrant,
} from './project-access.ts';
export { type ProjectService, projectForNew, projectOf, projectSchedulerTimezone } from './projects.ts';
export { createDirectoryService, type DirectoryService } from './service.ts';
export {
  EVERY_TABLE,
  TABLE_SELECTION_TYPES,
  type TableSelection,
  type TableSelectionService,
  type TableSelectionType,
  tableSelected,
} from './table-selection.ts';
export type * from './types.ts';
export { USER_STATUSES } from './users-read.ts';
export { insertUser } from './users-write.ts';
export { MIN_PASSWORD_LENGTH } from './validation.ts';
