import { RosettaError } from '../../../core/errors.ts';
import type { App } from '../../server.ts';
import { holisticsRoute } from './routes.ts';

/**
 * What Holistics integrates with and Rosetta has no counterpart for: AML Studio projects (a
 * git-backed modeling project published to production), AI skills, and the git providers'
 * webhooks that drive the AML Studio pull-request flow. Each route checks its input against the
 * document first, then answers as a Holistics tenant without that integration set up: a 422
 * `InvalidOperationError`, never a success that did nothing.
 */
export const notConfigured = (message: string) =>
  new RosettaError('ERR_VALIDATION', message, undefined, { reason: 'feature.not_configured' });

const NO_AML_PROJECT =
  'This workspace has no AML Studio project: Rosetta models are edited in place, not published from a git repository';

export function registerIntegrationRoutes(api: App): void {
  holisticsRoute(api, 'AmlStudioProjects_SubmitDeploy', async () => {
    throw notConfigured(NO_AML_PROJECT);
  });

  holisticsRoute(api, 'AmlStudioProjects_SubmitValidate', async () => {
    throw notConfigured(NO_AML_PROJECT);
  });

  holisticsRoute(api, 'Ai_Skills', async () => {
    throw notConfigured('Holistics AI is not enabled on this server: it has no AI provider and no skills');
  });

  // Git providers call these without a Holistics key (`security: []`), signed with the secret of
  // a git integration; with none set up, no signature can be verified and no tenant listens.
  holisticsRoute(
    api,
    'GitWebhooks_GithubEvent',
    async () => {
      throw notConfigured('No GitHub integration is set up: the webhook event cannot be verified');
    },
    { public: true },
  );

  holisticsRoute(
    api,
    'GitWebhooks_GitlabEvent',
    async () => {
      throw notConfigured('No GitLab integration is set up: the webhook token cannot be verified');
    },
    { public: true },
  );

  // The document's answer for an event no installation handles: 200 `skipped` (it lists no 422).
  holisticsRoute(api, 'GitWebhooks_GithubAppEvent', async () => ({ status: 'skipped' }), { public: true });
}
