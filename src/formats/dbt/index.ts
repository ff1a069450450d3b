/**
 * Models as code: dbt projects with Lightdash meta ↔ Rosetta models. Neither core nor face: faces
 * and the CLI read a project here (schema files, a manifest, Lightdash's compiled explores) and
 * deploy it through the core services; the core never imports this folder.
 */
export { type DbtDeployResult, type DbtPorts, deployDbtProject, exportDbtProject } from './deploy.ts';
export { projectFromExplores } from './explores.ts';
export {
  DBT_MANIFESTS_FORMAT,
  type DbtManifestsPlan,
  deployManifestsPlan,
  type ManifestFile,
  planFromManifests,
  projectFromManifests,
} from './manifests.ts';
export {
  type DbtFile,
  type DbtModel,
  type DbtProject,
  projectFromFiles,
  projectFromManifest,
} from './project.ts';
export { type MappedModel, type ModelRelationInfo, mapProject } from './to-models.ts';
export { type ExportedModel, projectToFiles } from './to-yaml.ts';
