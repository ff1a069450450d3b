/**
 * Holistics datasets are Rosetta models and data sources, which number their ids apart. A model
 * keeps its own id (the native API's), a data source is offset past any model id a deployment
 * reaches, so one integer names one dataset in every face, computed, never stored.
 */
const SOURCE_OFFSET = 2 ** 30;

export type DatasetRef = { kind: 'model'; id: number } | { kind: 'source'; id: number };

export const datasetIdOf = (ref: DatasetRef): number =>
  ref.kind === 'model' ? ref.id : SOURCE_OFFSET + ref.id;

export const datasetRefOf = (datasetId: number): DatasetRef =>
  datasetId > SOURCE_OFFSET
    ? { kind: 'source', id: datasetId - SOURCE_OFFSET }
    : { kind: 'model', id: datasetId };
