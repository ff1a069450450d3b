import type { Selectable } from 'kysely';
import type { SecretBox } from '../data/index.ts';
import type { Db } from './repo.ts';
import type { ScheduleRow } from './tables.ts';
import type { Destination, DestinationView } from './types.ts';

/**
 * How destinations are stored: the `destination` column holds what answers may show (the view);
 * the webhook signing secret and the Slack URL, which is itself the credential, are sealed in
 * `destination_secret` with the schedule's uuid as context. Rows saved before that column
 * existed hold the whole destination in plain text until `sealPlainDestinations` rewrites them;
 * until then they are read as they are.
 */

/** The sealed part of a destination. */
type DestinationSecrets = { secret?: string; url?: string };

/** The key purpose of schedule secrets, apart from connection passwords. */
export const DESTINATION_SECRETS_PURPOSE = 'schedule-destinations';

/** `https://hooks.slack.com/…k3Yz`: enough to tell two URLs apart, not enough to post. */
export function maskUrl(url: string): string {
  const { origin, pathname } = new URL(url);
  return `${origin}/…${pathname.length >= 16 ? pathname.slice(-4) : ''}`;
}

function split(destination: Destination): { view: DestinationView; secrets: DestinationSecrets | null } {
  if (destination.type === 'webhook') {
    const { secret, ...rest } = destination;
    return { view: { ...rest, hasSecret: secret !== null }, secrets: secret === null ? null : { secret } };
  }
  if (destination.type === 'slack')
    return {
      view: { type: 'slack', maskedUrl: maskUrl(destination.url) },
      secrets: { url: destination.url },
    };
  return { view: destination, secrets: null };
}

/** A row written before destinations were sealed: the secret parts are still in the JSON. */
const isPlain = (stored: Destination | DestinationView): stored is Destination =>
  (stored.type === 'webhook' && 'secret' in stored) || (stored.type === 'slack' && 'url' in stored);

/** The two columns a destination is saved as. */
export function storedDestination(destination: Destination, scheduleUuid: string, box: SecretBox) {
  const { view, secrets } = split(destination);
  return {
    destination: JSON.stringify(view),
    destination_secret: secrets && box.seal(JSON.stringify(secrets), scheduleUuid),
  };
}

export function destinationView(row: Pick<Selectable<ScheduleRow>, 'destination'>): DestinationView {
  const stored: Destination | DestinationView = JSON.parse(row.destination);
  return isPlain(stored) ? split(stored).view : stored;
}

/** The destination with its secrets, for a delivery. */
export function deliveryDestination(
  row: Pick<Selectable<ScheduleRow>, 'uuid' | 'destination' | 'destination_secret'>,
  box: SecretBox,
): Destination {
  const stored: Destination | DestinationView = JSON.parse(row.destination);
  if (isPlain(stored)) return stored;
  let secrets: DestinationSecrets = {};
  try {
    if (row.destination_secret) secrets = JSON.parse(box.open(row.destination_secret, row.uuid));
  } catch (error) {
    throw new Error('the sealed destination of this schedule does not open: was the server secret changed?', {
      cause: error,
    });
  }
  if (stored.type === 'webhook') return { type: 'webhook', url: stored.url, secret: secrets.secret ?? null };
  if (stored.type === 'slack') {
    if (!secrets.url) throw new Error('the Slack URL of this schedule is missing');
    return { type: 'slack', url: secrets.url };
  }
  return stored;
}

/**
 * Seals the secrets of rows still stored in plain text; run at every start, a no-op once done.
 * The update compares the old text, so several processes starting at once seal a row once.
 */
export async function sealPlainDestinations(db: Db, box: SecretBox): Promise<number> {
  const rows = await db
    .selectFrom('schedules')
    .select(['id', 'uuid', 'destination'])
    .where('destination_secret', 'is', null)
    .execute();
  let sealed = 0;
  for (const row of rows) {
    const stored: Destination | DestinationView = JSON.parse(row.destination);
    if (!isPlain(stored)) continue;
    const result = await db
      .updateTable('schedules')
      .set(storedDestination(stored, row.uuid, box))
      .where('id', '=', row.id)
      .where('destination', '=', row.destination)
      .where('destination_secret', 'is', null)
      .executeTakeFirst();
    sealed += Number(result.numUpdatedRows);
  }
  return sealed;
}
