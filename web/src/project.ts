import { useEffect, useState, useSyncExternalStore } from 'react';
import { api } from './api.ts';
import type { Project } from './types.ts';

/**
 * The organization's projects and the one the user works in. Lists of content show that
 * project's items and new items go to it; while the organization has one project there is
 * nothing to choose and requests go without one (the server's default project). The choice is
 * remembered per browser.
 */
const CHOSEN_KEY = 'rosetta.project';

interface ProjectState {
  projects: Project[];
  /** null while the organization has a single project. */
  current: Project | null;
}

let state: ProjectState = { projects: [], current: null };
const listeners = new Set<() => void>();

function storedChoice(): number | null {
  const stored = Number(localStorage.getItem(CHOSEN_KEY));
  return Number.isSafeInteger(stored) && stored > 0 ? stored : null;
}

function publish(projects: Project[]): void {
  const chosen = storedChoice();
  const current =
    projects.length < 2
      ? null
      : (projects.find((p) => p.id === chosen) ?? projects.find((p) => p.isDefault) ?? projects[0]);
  state = { projects, current };
  for (const listener of listeners) listener();
}

/** Fetches the projects again (after signing in, or after an admin changed them). */
export async function loadProjects(): Promise<Project[]> {
  const { items } = await api<{ items: Project[] }>('GET', '/projects');
  publish(items);
  return items;
}

export function chooseProject(id: number): void {
  localStorage.setItem(CHOSEN_KEY, String(id));
  publish(state.projects);
}

/** Forgets the projects of the signed-out user (the choice stays with the browser). */
export function clearProjects(): void {
  publish([]);
}

export function useProjects(): ProjectState {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => state,
  );
}

/** The id of the project the user works in, for lists to narrow to; undefined with one project. */
export function useProjectId(): number | undefined {
  return useProjects().current?.id;
}

/** `path` (an API list) narrowed to the project's items; unchanged without one. */
export function inProject(path: string, projectId: number | undefined): string {
  if (projectId === undefined) return path;
  return `${path}${path.includes('?') ? '&' : '?'}project=${projectId}`;
}

/**
 * The items of an API list narrowed to the current project, fetched again when the project (or
 * `reload`) changes; null until the first answer, empty when refused. An answer for a project
 * left meanwhile is dropped: the unfiltered answer asked before the projects arrived must not
 * replace the project's list when it comes last.
 */
export function useProjectList<T>(path: string, reload = 0): T[] | null {
  const projectId = useProjectId();
  const [items, setItems] = useState<T[] | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `reload` asks for a fresh list
  useEffect(() => {
    let live = true;
    api<{ items: T[] }>('GET', inProject(path, projectId)).then(
      (r) => live && setItems(r.items),
      () => live && setItems([]),
    );
    return () => {
      live = false;
    };
  }, [path, projectId, reload]);
  return items;
}

/** What a create body carries so the new item lands in the current project. */
export function newInProject(): { projectId?: number } {
  return state.current ? { projectId: state.current.id } : {};
}
