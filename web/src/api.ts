/** The native API client: bearer token from the session, JSON in and out, errors as ApiError. */

const TOKEN_KEY = 'rosetta.token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The input the server found wrong (`calculations[0].formula`), when it names one. */
    readonly field?: string,
  ) {
    super(message);
  }
}

export function getToken(): string | null {
  return localStorage.getItem(TOKEN_KEY);
}

export function setToken(token: string | null): void {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}

/** Set on an embedded page: its requests carry the embed session, never the signed-in user's token. */
let embed: { session: string | null } | null = null;
/**
 * Puts the page in embed mode (`null` before the link is opened): every call then carries
 * `Authorization: Embed <session>` instead of the session, and never reads or clears the
 * signed-in user's token.
 */
export function setEmbedCredential(session: string | null): void {
  embed = { session };
}

function authorizationHeader(): string | undefined {
  if (embed) return embed.session ? `Embed ${embed.session}` : undefined;
  const token = getToken();
  return token ? `Bearer ${token}` : undefined;
}

let onUnauthorized: () => void = () => {};
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

async function errorOf(response: Response): Promise<ApiError> {
  let code = 'ERR_HTTP';
  let message = `${response.status} ${response.statusText}`;
  let field: string | undefined;
  try {
    const body = await response.json();
    if (body?.error) {
      code = body.error.code ?? code;
      message = body.error.message ?? message;
      field = typeof body.error.field === 'string' ? body.error.field : undefined;
    }
  } catch {
    // not JSON
  }
  return new ApiError(response.status, code, message, field);
}

/** Calls made before signing in: their 401 is a wrong password or link, not an ended session. */
const SIGN_IN_PATHS = ['/auth/login', '/password-links/'];

export async function api<T = unknown>(
  method: string,
  path: string,
  body?: unknown,
  init: { headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<T> {
  const headers: Record<string, string> = { ...init.headers };
  const authorization = authorizationHeader();
  if (authorization) headers.authorization = authorization;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`/api${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: init.signal,
  });
  if (response.status === 401 && !SIGN_IN_PATHS.some((prefix) => path.startsWith(prefix))) {
    if (!embed) setToken(null);
    onUnauthorized();
  }
  if (!response.ok) throw await errorOf(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** An upload with progress (fetch has no upload progress): XHR with the same bearer. */
export function upload<T>(
  path: string,
  file: Blob,
  contentType: string,
  onProgress: (fraction: number) => void,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api${path}`);
    const authorization = authorizationHeader();
    if (authorization) xhr.setRequestHeader('authorization', authorization);
    xhr.setRequestHeader('content-type', contentType);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      let body: { error?: { code?: string; message?: string } } | undefined;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve(body as T);
      } else {
        reject(
          new ApiError(xhr.status, body?.error?.code ?? 'ERR_HTTP', body?.error?.message ?? xhr.statusText),
        );
      }
    };
    xhr.onerror = () => reject(new ApiError(0, 'ERR_NETWORK', 'network error during upload'));
    xhr.send(file);
  });
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
