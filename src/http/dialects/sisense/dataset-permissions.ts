import type { RoutePermissions } from '../../kit/route-permissions.ts';

/**
 * Data sources, datasets and data security, with the native routes' actions: reading the
 * catalogue is reading models; creating, changing, sharing and deleting datasets and their data
 * security rules is managing models (`PUT /api/models/:id/access` is `model.manage` too).
 */
export const datasetPermissions: RoutePermissions = {
  'GET /sisense/api/datasources': 'model.read',
  'GET /sisense/api/datasources/': 'model.read',
  'POST /sisense/api/datasources/:title/fields/search': 'model.read',
  'GET /sisense/api/v2/datamodels/schema': 'model.read',
  'GET /sisense/api/v1/datasets': 'model.read',
  'GET /sisense/api/v1/datasets/': 'model.read',
  'GET /sisense/api/v1/datasets/by_fullname/:fullname': 'model.read',
  'GET /sisense/api/v1/datasets/by_fullname/:server/:title': 'model.read',
  'GET /sisense/api/v1/datasets/:id': 'model.read',
  'GET /sisense/api/v1/datasets/:id/transformed': 'model.read',
  'GET /sisense/api/v1/datasets/:id/permissions': 'model.manage',
  'POST /sisense/api/v1/datasets/': 'model.manage',
  'POST /sisense/api/v1/datasets': 'model.manage',
  'PATCH /sisense/api/v1/datasets/:id': 'model.manage',
  'PATCH /sisense/api/v1/datasets/:id/permissions': 'model.manage',
  'DELETE /sisense/api/v1/datasets/:id': 'model.manage',
  'GET /sisense/api/v1/datasets/:fullname/datasecurity': 'model.manage',
  'GET /sisense/api/v1/datasets/:server/:title/datasecurity': 'model.manage',
  'POST /sisense/api/v1/datasets/:fullname/datasecurity': 'model.manage',
  'POST /sisense/api/v1/datasets/:server/:title/datasecurity': 'model.manage',
  'DELETE /sisense/api/v1/datasets/datasecurity/:dataSecurityId': 'model.manage',
};
