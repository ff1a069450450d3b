import { useCallback, useEffect, useRef, useState } from 'react';
import { ErrorNote } from '../App.tsx';
import { api } from '../api.ts';
import { ModelEditor } from '../components/ModelEditor.tsx';
import { QueryAccessPanel } from '../components/QueryAccessPanel.tsx';
import { TableHead } from '../components/TableHead.tsx';
import { inProject, useProjectId } from '../project.ts';
import { atLeast, mayChangeSource } from '../roles.ts';
import { navigate, usePath } from '../router.tsx';
import type { AttributeDefinition, DataSource, Me, Model } from '../types.ts';

const NEW = 'new';
const open = (ref: string) => navigate(`/data?view=models&model=${encodeURIComponent(ref)}`);

/**
 * The semantic layer: models join data sources and name their dimensions, metrics and row
 * policies. Everyone may read them and explore them; developers and admins edit them.
 */
export function ModelsPanel(props: { me: Me }) {
  const selected = usePath().search.get('model');
  const [models, setModels] = useState<Model[] | null>(null);
  const [sources, setSources] = useState<DataSource[]>([]);
  const [attributes, setAttributes] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(null);
  const projectId = useProjectId();
  // An answer for a project left meanwhile (or asked before the projects arrived) is dropped.
  const shownProject = useRef(projectId);
  shownProject.current = projectId;

  const load = useCallback(
    () =>
      api<{ items: Model[] }>('GET', inProject('/models', projectId))
        .then((r) => shownProject.current === projectId && setModels(r.items))
        .catch(setError),
    [projectId],
  );
  useEffect(() => {
    load();
    api<{ items: DataSource[] }>('GET', '/data-sources')
      .then((r) => setSources(r.items))
      .catch(setError);
    api<{ items: AttributeDefinition[] }>('GET', '/attributes')
      .then((r) => setAttributes(r.items.map((a) => a.key)))
      .catch(setError);
  }, [load]);

  const model = models?.find((m) => m.uuid === selected);
  const canDevelop = atLeast(props.me, 'developer');
  const canEdit = model ? mayChangeSource(props.me, model.access) : canDevelop;
  return (
    <div>
      <div className="toolbar">
        <h1>Models</h1>
        {canDevelop && (
          <div className="actions">
            <button type="button" className="primary" onClick={() => open(NEW)}>
              New model
            </button>
          </div>
        )}
      </div>
      <ErrorNote error={error} />
      {models === null ? (
        <p className="muted">Loading…</p>
      ) : models.length === 0 ? (
        <p className="muted">No models yet. A model joins data sources and names their metrics.</p>
      ) : (
        <div className="card tablescroll">
          <table>
            <caption className="sr-only">Models</caption>
            <TableHead columns={['Name', 'Tables', 'Metrics', 'Updated']} actions />
            <tbody>
              {models.map((m) => (
                <tr key={m.uuid}>
                  <td>
                    <button
                      type="button"
                      className="link"
                      aria-pressed={m.uuid === selected}
                      onClick={() => open(m.uuid)}
                    >
                      {m.name}
                    </button>
                  </td>
                  <td>{m.tables.map((t) => t.name).join(', ')}</td>
                  <td>{m.metrics.map((metric) => metric.name).join(', ') || '—'}</td>
                  <td>{new Date(m.updatedAt).toLocaleString()}</td>
                  <td>
                    <button
                      type="button"
                      aria-label={`Explore ${m.name}`}
                      onClick={() => navigate(`/explore?source=${m.uuid}`)}
                    >
                      Explore
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {(model || (selected === NEW && canDevelop)) && (
        <ModelEditor
          key={model ? `${model.uuid}:${model.version}` : NEW}
          model={model ?? null}
          sources={sources}
          attributes={attributes}
          canEdit={canEdit}
          onSaved={(saved) => load().then(() => open(saved.uuid))}
          onDeleted={() => {
            load();
            navigate('/data?view=models');
          }}
        />
      )}
      {model && canEdit && (
        <QueryAccessPanel
          key={model.uuid}
          what="model"
          url={`/models/${model.uuid}`}
          access={model.access}
          onSaved={load}
        />
      )}
    </div>
  );
}
