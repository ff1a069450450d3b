import type { HolisticsFaceConfig } from '../../../config.ts';
import type { Services } from '../../../services.ts';
import type { App } from '../../server.ts';
import { registerGroupRoutes } from './groups.ts';
import { registerUserAttributeRoutes } from './user-attributes.ts';
import { registerInvitationRoutes } from './user-invitations.ts';
import { registerUserRoutes } from './users.ts';

/** The directory part of the face: users, invitations, groups and user attributes. */
export function registerDirectoryRoutes(
  api: App,
  services: Pick<Services, 'directory' | 'auth' | 'invitations'>,
  _config: HolisticsFaceConfig,
): void {
  registerUserRoutes(api, services);
  registerInvitationRoutes(api, services);
  registerGroupRoutes(api, services);
  registerUserAttributeRoutes(api, services);
}
