import type { Services } from '../../../services.ts';
import type { App } from '../../server.ts';
import { registerAccountRoutes } from './account.ts';
import { registerLoginRoute, registerTokenRoutes } from './authentication.ts';
import { registerGroupRoutes } from './groups.ts';
import { registerRoleRoutes } from './roles.ts';
import { registerUserRoutes } from './users.ts';

/** Sign-in and tokens, users, groups, roles and the account flows of the Sisense face. */
export function registerDirectoryRoutes(app: App, services: Services, version: string): void {
  registerLoginRoute(app, services);
  registerTokenRoutes(app, services);
  registerRoleRoutes(app);
  registerUserRoutes(app, services);
  registerGroupRoutes(app, services);
  registerAccountRoutes(app, services, version);
}
