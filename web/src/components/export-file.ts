import { api, getToken } from '../api.ts';

/**
 * Runs an export job (`POST /api/exports`), follows it, and saves its file in the browser:
 * the dashboard toolbar and each widget's CSV use it. `onProgress` gets short status lines.
 */
export async function downloadExport(
  body: Record<string, unknown>,
  fallbackName: string,
  onProgress: (status: string) => void,
): Promise<string> {
  const format = String(body.format).toUpperCase();
  onProgress(`Exporting ${format}…`);
  const { job } = await api<{ job: { id: number } }>('POST', '/exports', body);
  const deadline = Date.now() + 120_000;
  for (;;) {
    const { job: state } = await api<{ job: { status: string; progress: number; error: string | null } }>(
      'GET',
      `/jobs/${job.id}`,
    );
    if (state.status === 'success') break;
    if (state.status === 'failure' || state.status === 'cancelled')
      throw new Error(state.error ?? `export ${state.status}`);
    if (Date.now() > deadline) throw new Error('the export is taking too long; find it later under jobs');
    onProgress(`Exporting ${format}… ${state.progress}%`);
    await new Promise((resolve) => setTimeout(resolve, 400));
  }
  return saveDownload(`/jobs/${job.id}/download`, fallbackName);
}

/** Saves the file an API path answers (with the session's bearer) in the browser; returns its name. */
export async function saveDownload(path: string, fallbackName: string): Promise<string> {
  const response = await fetch(`/api${path}`, {
    headers: { authorization: `Bearer ${getToken()}` },
  });
  if (!response.ok) throw new Error(`download failed (${response.status})`);
  const name =
    /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName;
  const a = document.createElement('a');
  a.href = URL.createObjectURL(await response.blob());
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  return name;
}
