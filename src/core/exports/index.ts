/** Exports: CSV, XLSX, PDF and PNG renderers, given data (no database access here). */
export {
  type ChartFrame,
  type ChartResult,
  type ChartVisualization,
  chartOption,
  chartTypes,
  isChartType,
} from './chart-options.ts';
export {
  type CsvBenchResult,
  type CsvOptions,
  type CsvWriteResult,
  measureCsvExport,
  writeCsv,
} from './csv.ts';
export type { StoredFile } from './files.ts';
export type { PaperName } from './layout.ts';
export { formatValue } from './present.ts';
export {
  closeRenderPool,
  configureRenderPool,
  type RenderPoolOptions,
  renderDashboardPdf,
  renderDashboardPng,
} from './render-pool.ts';
export { sampleDashboardSpec, syntheticRowStream } from './samples.ts';
export {
  createExportService,
  EXPORT_JOB_TYPE,
  type ExportResult,
  type ExportService,
  type ExportServiceOptions,
  type RenderedExport,
} from './service.ts';
export {
  type ExportFormat,
  type ExportRequest,
  type ExportTarget,
  exportFormats,
  parseExportRequest,
  type RenderTarget,
} from './target.ts';
export type {
  DashboardRenderSpec,
  RenderOptions,
  RenderOutput,
  RenderWidget,
  WidgetResult,
} from './types.ts';
export { writeXlsx, XLSX_MAX_ROWS, type XlsxOptions, type XlsxSheet } from './xlsx.ts';
