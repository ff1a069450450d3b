import { type FormEvent, useState } from 'react';
import { api } from '../api.ts';
import { useAdminList } from '../components/AdminList.tsx';
import { useConfirm } from '../components/ConfirmDialog.tsx';
import { NameDialog } from '../components/NameDialog.tsx';
import { TableHead } from '../components/TableHead.tsx';
import { loadProjects } from '../project.ts';
import type { Project } from '../types.ts';

/**
 * Admin → Projects. Models, folders, dashboards, charts and schedules belong to one; with a
 * second project the top bar offers a switcher. The list is the app's own (`loadProjects`), so
 * the switcher follows every change made here. The default project stays; a project still
 * holding something is refused by the server, which says what it holds.
 */
export function Projects() {
  const { data: projects, act, bar, load, setNotice } = useAdminList(loadProjects);
  const [name, setName] = useState('');
  const [renaming, setRenaming] = useState<Project | null>(null);
  const [confirmDialog, confirm] = useConfirm();

  const create = (event: FormEvent) => {
    event.preventDefault();
    act(
      api('POST', '/projects', { name }).then(() => setName('')),
      `Project ${name} created.`,
    );
  };
  const remove = async (project: Project) => {
    const sure = await confirm({
      title: 'Delete project',
      message: `Delete the project ${project.name}? Only an empty project can go.`,
      confirmLabel: 'Delete project',
    });
    if (sure) act(api('DELETE', `/projects/${project.id}`), `Project ${project.name} deleted.`);
  };

  return (
    <section>
      <form className="card inlineform" aria-label="Create project" onSubmit={create}>
        <label>
          Project name
          <input required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <button type="submit" className="primary">
          Create project
        </button>
      </form>
      {bar}
      <div className="card tablescroll">
        <table>
          <caption className="sr-only">Projects</caption>
          <TableHead columns={['Name', 'Created']} actions />
          <tbody>
            {(projects ?? []).map((p) => (
              <tr key={p.id}>
                <td>
                  {p.name} {p.isDefault && <span className="tag">default</span>}
                </td>
                <td>{new Date(p.createdAt).toLocaleString()}</td>
                <td>
                  <button type="button" aria-label={`Rename ${p.name}`} onClick={() => setRenaming(p)}>
                    Rename
                  </button>{' '}
                  {!p.isDefault && (
                    <button type="button" aria-label={`Delete ${p.name}`} onClick={() => remove(p)}>
                      Delete
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {renaming && (
        <NameDialog
          title={`Rename “${renaming.name}”`}
          label="New name"
          submitLabel="Rename"
          onSubmit={async (newName) => {
            await api('PATCH', `/projects/${renaming.id}`, { name: newName });
            setRenaming(null);
            setNotice(`Project renamed to ${newName}.`);
            await load();
          }}
          onClose={() => setRenaming(null)}
        />
      )}
      {confirmDialog}
    </section>
  );
}
