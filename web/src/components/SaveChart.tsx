import { useEffect, useState } from 'react';
import { ErrorNote } from '../App.tsx';
import { api } from '../api.ts';
import type { SavedChart } from '../charts.ts';
import { atLeast } from '../roles.ts';
import { Link, navigate } from '../router.tsx';
import type { Me, Query, Visualization } from '../types.ts';
import { SaveChartDialog } from './ChartDialogs.tsx';

/**
 * The query editor's saved-chart controls (editors and up). In Explore: save the query and
 * visualization as a new chart, or as a new chart on a dashboard. Editing a chart (`chartId`):
 * load it into the editor once, and save the edit as its next version (a 409 if someone saved
 * another version meanwhile); the title field is the chart's name.
 */
export function SaveChart(props: {
  chartId?: string;
  title: string;
  query: Query | null;
  visualization: Visualization;
  onLoad: (title: string, query: Query | null, visualization: Visualization) => void;
}) {
  const [canSave, setCanSave] = useState(false);
  const [chart, setChart] = useState<SavedChart | null>(null);
  const [dialog, setDialog] = useState<'chart' | 'dashboard' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);

  // biome-ignore lint/correctness/useExhaustiveDependencies: loads the chart once per page
  useEffect(() => {
    api<Me>('GET', '/me')
      .then((me) => setCanSave(atLeast(me, 'editor')))
      .catch(() => setCanSave(false));
    if (!props.chartId) return;
    api<SavedChart>('GET', `/charts/${props.chartId}`)
      .then((loaded) => {
        setChart(loaded);
        props.onLoad(loaded.name, loaded.query, loaded.visualization);
      })
      .catch(setError);
  }, [props.chartId]);

  if (props.chartId) {
    const save = async () => {
      if (!chart || !props.query) return;
      setSaving(true);
      setError(null);
      try {
        await api('PATCH', `/charts/${chart.id}`, {
          name: props.title.trim() || chart.name,
          query: props.query,
          visualization: props.visualization,
          version: chart.version,
        });
        navigate(`/charts/${chart.id}`);
      } catch (caught) {
        setError(caught);
        setSaving(false);
      }
    };
    return (
      <>
        <ErrorNote error={error} />
        <Link to={`/charts/${props.chartId}`}>Back to the chart</Link>
        <button
          type="button"
          className="primary"
          onClick={save}
          disabled={!chart?.canEdit || !props.query || saving}
        >
          {saving ? 'Saving…' : 'Save chart'}
        </button>
      </>
    );
  }

  if (!canSave) return null;
  return (
    <>
      <button type="button" onClick={() => setDialog('chart')} disabled={!props.query} aria-haspopup="dialog">
        Save chart
      </button>
      <button
        type="button"
        onClick={() => setDialog('dashboard')}
        disabled={!props.query}
        aria-haspopup="dialog"
      >
        Save chart to dashboard
      </button>
      {dialog && props.query && (
        <SaveChartDialog
          name={props.title}
          query={props.query}
          visualization={props.visualization}
          toDashboard={dialog === 'dashboard'}
          onClose={() => setDialog(null)}
        />
      )}
    </>
  );
}
