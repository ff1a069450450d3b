import { type ReactNode, useState } from 'react';
import ReactGridLayout, { type Layout, useContainerWidth } from 'react-grid-layout';
import 'react-grid-layout/css/styles.css';
import 'react-resizable/css/styles.css';
import type { Cell, Dashboard, Widget } from '../types.ts';

/** Move and resize widgets on the 12-column grid; saves the dashboard's layout. */
export function LayoutEditor(props: {
  dashboard: Dashboard;
  onSave: (layout: Cell[]) => void;
  onCancel: () => void;
  /** The widget's drawn data, so charts stay visible while they are moved and resized. */
  renderBody: (widget: Widget) => ReactNode;
}) {
  const { width, containerRef, mounted } = useContainerWidth();
  const cells = new Map(props.dashboard.layout.map((c) => [c.widgetId, c]));
  const [layout, setLayout] = useState<Layout>(() =>
    props.dashboard.widgets.map((w, index) => {
      const c = cells.get(w.id) ?? { x: 0, y: 100 + index, w: 6, h: 4 };
      return { i: w.id, x: c.x, y: c.y, w: c.w, h: c.h, minW: 2, minH: 2 };
    }),
  );
  const save = () =>
    props.onSave(layout.map((item) => ({ widgetId: item.i, x: item.x, y: item.y, w: item.w, h: item.h })));
  return (
    <div className="layouteditor">
      <p className="notice">
        Drag widgets by their title and resize them from the corner, then save.{' '}
        <button type="button" className="primary" onClick={save}>
          Save layout
        </button>{' '}
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </p>
      <div ref={containerRef}>
        {mounted && (
          <ReactGridLayout
            width={width}
            layout={layout}
            gridConfig={{ cols: 12, rowHeight: 52, margin: [12, 12] }}
            dragConfig={{ enabled: true, handle: '.draghandle' }}
            onLayoutChange={(next) => setLayout(next)}
          >
            {props.dashboard.widgets.map((w) => (
              <div key={w.id} className="widget editing">
                <header className="widgethead draghandle">
                  <h2>{w.title || w.id}</h2>
                  <span className="muted">{w.visualization.type}</span>
                </header>
                <div className="widgetbody">{props.renderBody(w)}</div>
              </div>
            ))}
          </ReactGridLayout>
        )}
      </div>
    </div>
  );
}
