import type { Principal } from '../../core/auth/index.ts';
import { RosettaError, validationError } from '../../core/errors.ts';
import { type DbtDeployResult, type DbtPorts, deployDbtProject } from './deploy.ts';
import { type DbtProject, objectAt, projectFromManifest } from './project.ts';

/**
 * Several dbt `manifest.json` files deployed together (one per dbt project of a mesh): their
 * models read as one project, so a model defined twice, or a file that is not a manifest, stops
 * the whole upload before anything is touched. A plan is what a deploy job carries: the project
 * read, or why the files could not be read, which the job reports as its failure.
 */
export type DbtManifestsPlan =
  | { project: DbtProject }
  | { failure: { message: string; field?: string; problem?: string } };

export const DBT_MANIFESTS_FORMAT = 'dbt_manifests';

export interface ManifestFile {
  /** The file's name as uploaded, for errors. */
  name: string;
  text: string;
}

function parsed(file: ManifestFile, at: string): unknown {
  try {
    return JSON.parse(file.text);
  } catch (error) {
    throw validationError(at, `${file.name} is not JSON: ${(error as Error).message}`);
  }
}

/** The models of every manifest as one dbt project; a node key in two files is refused. */
export function projectFromManifests(files: readonly ManifestFile[]): DbtProject {
  if (files.length === 0) throw validationError('files', 'send at least one manifest.json');
  const nodes: Record<string, unknown> = {};
  const origin = new Map<string, string>();
  for (const [index, file] of files.entries()) {
    const at = `files[${index}]`;
    const manifestNodes = objectAt(objectAt(parsed(file, at), at).nodes, `${at}.nodes`);
    for (const [key, node] of Object.entries(manifestNodes)) {
      const first = origin.get(key);
      if (first !== undefined) throw validationError(at, `node "${key}" is also in ${first}`);
      origin.set(key, file.name);
      nodes[key] = node;
    }
  }
  return projectFromManifest({ nodes });
}

/** The plan of an upload: never throws, so a bad file fails the job rather than the request. */
export function planFromManifests(files: readonly ManifestFile[]): DbtManifestsPlan {
  try {
    return { project: projectFromManifests(files) };
  } catch (error) {
    if (!(error instanceof RosettaError)) throw error;
    return {
      failure: {
        message: error.message,
        ...(error.field !== undefined && { field: error.field, problem: error.problem }),
      },
    };
  }
}

/** Carries out a plan: its failure as the coded error it was, else the project deployed. */
export async function deployManifestsPlan(
  ports: DbtPorts,
  principal: Principal,
  plan: DbtManifestsPlan,
  target: { projectId: number; connectionId: number },
): Promise<DbtDeployResult> {
  if ('failure' in plan) {
    const { message, field, problem } = plan.failure;
    throw new RosettaError('ERR_VALIDATION', message, field, { problem });
  }
  return deployDbtProject(ports, principal, plan.project, target);
}
