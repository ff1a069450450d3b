import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Action } from '../../../core/auth/index.ts';
import { notFound, RosettaError, validationError } from '../../../core/errors.ts';
import { array, boolean, object, oneOf } from '../../../core/input.ts';
import type { App } from '../../server.ts';
import { applyListOptions, type SisenseListQuery } from './list-options.ts';

/**
 * The catalogue's PERIPHERAL endpoints (§3): Sisense features Rosetta does not have (LDAP, SSO,
 * plug-ins and their document store, its internal MongoDB, usage analytics, narration,
 * suggestions, OAuth for connectors, map shapes). They answer as Sisense does where the feature
 * is not available: a list of such things is empty, one of them is not found (404), and a write
 * is a 400 naming the feature (`feature.not_configured`). What Rosetta does have answers truly:
 * its one language (en-US), its alerting feature (KPI alerts, no build alerts), and the load-time
 * log a dashboard posts, accepted and dropped (Rosetta keeps no client telemetry).
 */

type Answer = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown> | unknown;

interface PeripheralRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Under `/api/v1`. */
  path: string;
  /** The route's action, or `public` for what Sisense shows before sign-in. */
  rule: Action | 'public';
  answer: Answer;
}

/** A 400 naming a Sisense feature this server does not have. */
export const unavailable = (feature: string, field?: string): RosettaError =>
  new RosettaError('ERR_VALIDATION', `${feature} is not available on this server`, field, {
    reason: 'feature.not_configured',
    problem: `${feature} is not available on this server`,
  });

const refuse =
  (feature: string): Answer =>
  () => {
    throw unavailable(feature);
  };

const missing =
  (what: string, param = 'id'): Answer =>
  (request) => {
    throw notFound(what, (request.params as Record<string, string>)[param]);
  };

/** An empty list, its list options still checked as for a list that had items. */
const emptyList: Answer = (request) => applyListOptions([], request.query as SisenseListQuery);

const LANGUAGES = ['en-US'];
const GLOBALIZATION = { locale: 'en-US', autoDetect: false };

/** Rosetta's features in Sisense's shape: alerting, of which KPI alerts exist and build alerts do not. */
const FEATURES = [
  {
    key: 'alerting',
    name: 'Alerting',
    description: 'Alerts on the values of dashboard widgets (KPI alerts)',
    active: true,
    subscriptions: [
      { name: 'kpiSubscription', active: true },
      { name: 'buildSubscription', active: false },
    ],
  },
];

/** LDAP-06: ids in `id`, comma-separated; none of them exists here. */
const deleteLdapDomains: Answer = (request) => {
  const ids = (request.query as { id?: string }).id;
  if (!ids) throw validationError('id', 'is required: the LDAP domain ids, separated by commas');
  throw new RosettaError('ERR_NOT_FOUND', 'One or more LDAP domains were not found');
};

const geoJson: Answer = (request) => {
  const type = oneOf('type', (request.params as { type: string }).type, ['world', 'usa']);
  throw notFound('map shapes', type);
};

const plugins: Answer = (request) => {
  const { desc, skip, limit } = request.query as { desc?: string; skip?: string; limit?: string };
  if (desc !== undefined) boolean('desc', desc === 'true' ? true : desc === 'false' ? false : desc);
  return applyListOptions([], { skip, limit });
};

const updatePlugins: Answer = (request) => {
  array('plugins', request.body);
  throw new RosettaError('ERR_NOT_FOUND', 'No plugins updated: plug-ins are not available on this server');
};

const suggestions: Answer = (request) => {
  const body = object('body', request.body ?? {});
  if (body.type !== undefined) oneOf('type', body.type, ['widgets']);
  // Rosetta ranks no fields: there is nothing to suggest.
  return [];
};

const customDataQuery: Answer = (request) => {
  object('query', request.body ?? {});
  return [];
};

const translation: Answer = (request) => {
  const { lang } = request.params as { lang: string };
  if (!LANGUAGES.includes(lang)) throw notFound('language', lang);
  // The base language: it overrides none of the interface's strings.
  return {};
};

const toggleFeature: Answer = (request) => {
  const { key } = request.params as { key: string };
  if (!FEATURES.some((feature) => feature.key === key)) throw notFound('feature', key);
  throw unavailable('Turning features on or off', 'key');
};

const acceptAndDrop: Answer = (_request, reply) => reply.code(204).send();

export const peripheralRoutes: PeripheralRoute[] = [
  // analytics (ANL-01..03)
  { method: 'GET', path: '/analytics/token', rule: 'audit.read', answer: refuse('Sisense usage analytics') },
  {
    method: 'GET',
    path: '/analytics/token/revoke',
    rule: 'audit.read',
    answer: refuse('Sisense usage analytics'),
  },
  {
    method: 'GET',
    path: '/analytics/collection/:collection',
    rule: 'audit.read',
    answer: refuse('Sisense usage analytics'),
  },
  // custom_data (CUS-01..05): the plug-in document store
  { method: 'GET', path: '/custom_data', rule: 'directory.read', answer: () => [] },
  { method: 'POST', path: '/custom_data', rule: 'organization.manage', answer: refuse('Custom data') },
  { method: 'POST', path: '/custom_data/query', rule: 'directory.read', answer: customDataQuery },
  { method: 'PATCH', path: '/custom_data/query', rule: 'organization.manage', answer: refuse('Custom data') },
  {
    method: 'DELETE',
    path: '/custom_data/query',
    rule: 'organization.manage',
    answer: refuse('Custom data'),
  },
  // database (DB-01, DB-02): Sisense's internal MongoDB
  {
    method: 'GET',
    path: '/database/encrypt_database_password',
    rule: 'organization.manage',
    answer: refuse('The Sisense application database'),
  },
  {
    method: 'POST',
    path: '/database/change_database_user_password',
    rule: 'organization.manage',
    answer: refuse('The Sisense application database'),
  },
  // features (FEA-01, FEA-02)
  { method: 'GET', path: '/features', rule: 'directory.read', answer: () => FEATURES },
  { method: 'PATCH', path: '/features/:key/toggle', rule: 'organization.manage', answer: toggleFeature },
  // geo (GEO-01)
  { method: 'GET', path: '/geo/geoJson/:type', rule: 'dashboard.view', answer: geoJson },
  // ldap_domains (LDAP-F1, LDAP-01..06): the literal routes before `/:id`
  { method: 'GET', path: '/ldap_domains', rule: 'directory.read', answer: emptyList },
  { method: 'POST', path: '/ldap_domains/test', rule: 'directory.manage', answer: refuse('LDAP') },
  { method: 'DELETE', path: '/ldap_domains/bulk', rule: 'directory.manage', answer: deleteLdapDomains },
  { method: 'GET', path: '/ldap_domains/:id', rule: 'directory.read', answer: missing('LDAP domain') },
  { method: 'POST', path: '/ldap_domains', rule: 'directory.manage', answer: refuse('LDAP') },
  {
    method: 'POST',
    path: '/ldap_domains/:id/sync',
    rule: 'directory.manage',
    answer: missing('LDAP domain'),
  },
  { method: 'PATCH', path: '/ldap_domains/:id', rule: 'directory.manage', answer: missing('LDAP domain') },
  // logs (LOG-01): a dashboard's load times
  { method: 'POST', path: '/logs/timer', rule: 'dashboard.view', answer: acceptAndDrop },
  // narration (NAR-01, NAR-02)
  { method: 'GET', path: '/narration/token', rule: 'dashboard.view', answer: refuse('Narration') },
  { method: 'POST', path: '/narration/widget', rule: 'dashboard.edit', answer: refuse('Narration') },
  // oauth (OA-01, OA-02): no third-party service signs in here
  {
    method: 'GET',
    path: '/oauth/:service/login_uri',
    rule: 'connection.manage',
    answer: missing('OAuth service', 'service'),
  },
  {
    method: 'POST',
    path: '/oauth/:service/auth',
    rule: 'connection.manage',
    answer: missing('OAuth service', 'service'),
  },
  // plugins (PLG-01..03)
  { method: 'GET', path: '/plugins', rule: 'directory.read', answer: plugins },
  {
    method: 'GET',
    path: '/plugins/get_info',
    rule: 'directory.read',
    answer: () => {
      throw notFound('plug-in build', 'info');
    },
  },
  { method: 'PATCH', path: '/plugins', rule: 'organization.manage', answer: updatePlugins },
  // settings (SET-01, 02, 04..07, 09, 10, 13); the email server's are in settings.ts
  {
    method: 'GET',
    path: '/settings/sso',
    rule: 'directory.read',
    answer: () => {
      throw notFound('settings', 'sso');
    },
  },
  {
    method: 'GET',
    path: '/settings/system',
    rule: 'directory.read',
    answer: () => {
      throw notFound('settings', 'system');
    },
  },
  { method: 'GET', path: '/settings/globalization', rule: 'directory.read', answer: () => GLOBALIZATION },
  {
    method: 'GET',
    path: '/settings/public_settings',
    rule: 'public',
    answer: () => ({ globalization: GLOBALIZATION, sso: { enabled: false } }),
  },
  {
    method: 'POST',
    path: '/settings/sso',
    rule: 'organization.manage',
    answer: refuse('Single sign-on (SSO)'),
  },
  {
    method: 'POST',
    path: '/settings/system',
    rule: 'organization.manage',
    answer: refuse('Sisense system settings'),
  },
  {
    method: 'POST',
    path: '/settings/globalization',
    rule: 'organization.manage',
    answer: refuse('Changing the locale'),
  },
  {
    method: 'PUT',
    path: '/settings/globalization',
    rule: 'organization.manage',
    answer: refuse('Changing the locale'),
  },
  {
    method: 'DELETE',
    path: '/settings/globalization',
    rule: 'organization.manage',
    answer: refuse('Changing the locale'),
  },
  // suggestions (SUG-F1, SUG-01, SUG-02)
  {
    method: 'GET',
    path: '/suggestions/status',
    rule: 'directory.read',
    answer: () => {
      throw notFound('suggestions', 'status');
    },
  },
  { method: 'POST', path: '/suggestions', rule: 'model.read', answer: suggestions },
  { method: 'POST', path: '/suggestions/refresh', rule: 'model.manage', answer: refuse('Suggestions') },
  // translations (TRN-01, TRN-02)
  { method: 'GET', path: '/translations', rule: 'directory.read', answer: () => LANGUAGES },
  { method: 'GET', path: '/translations/:lang', rule: 'directory.read', answer: translation },
];

export function registerPeripheralRoutes(api: App): void {
  for (const { method, path, rule, answer } of peripheralRoutes) {
    api.route({
      method,
      url: `/api/v1${path}`,
      ...(rule === 'public' && { config: { public: true } }),
      handler: async (request, reply) => answer(request, reply),
    });
  }
}
