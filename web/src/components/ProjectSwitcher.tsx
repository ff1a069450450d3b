import { chooseProject, useProjects } from '../project.ts';

/** The project the lists show and new items go to; absent while the organization has one project. */
export function ProjectSwitcher() {
  const { projects, current } = useProjects();
  if (!current) return null;
  return (
    <label className="projectswitcher">
      <span className="switcherlabel">Project</span>
      <select value={current.id} onChange={(e) => chooseProject(Number(e.target.value))}>
        {projects.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
    </label>
  );
}
