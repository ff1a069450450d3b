import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.ts';
import { validationError } from '../errors.ts';
import { optionalText } from './validation.ts';

type Db = Kysely<Database>;

/** What a user answered when they finished setting up their account. */
export interface UserSettings {
  /**
   * Whether the user finished their setup. Users without answers count as set up: Rosetta's users
   * are created ready by an admin, so no client should hold them in an onboarding screen.
   */
  isSetupComplete: boolean;
  setupCompletedAt: string | null;
  jobTitle: string | null;
  isTrackingAnonymized: boolean;
  isMarketingOptedIn: boolean;
}

export interface SetupAnswers {
  jobTitle?: unknown;
  isTrackingAnonymized?: unknown;
  isMarketingOptedIn?: unknown;
}

export async function readUserSettings(db: Db, userId: number): Promise<UserSettings> {
  const row = await db
    .selectFrom('user_settings')
    .selectAll()
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return {
    isSetupComplete: row === undefined || row.setup_completed_at !== null,
    setupCompletedAt: row?.setup_completed_at ?? null,
    jobTitle: row?.job_title ?? null,
    isTrackingAnonymized: row?.tracking_anonymized === 1,
    isMarketingOptedIn: row?.marketing_opted_in === 1,
  };
}

const flag = (field: string, value: unknown): number | undefined => {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw validationError(field, 'must be a boolean');
  return value ? 1 : 0;
};

/** Checks the answers, so the caller may refuse them before anything else changes. */
export function checkSetupAnswers(answers: SetupAnswers) {
  const jobTitle =
    answers.jobTitle === undefined ? undefined : optionalText('jobTitle', answers.jobTitle, 200);
  return {
    ...(jobTitle !== undefined && { job_title: jobTitle === '' ? null : jobTitle }),
    ...defined('tracking_anonymized', flag('isTrackingAnonymized', answers.isTrackingAnonymized)),
    ...defined('marketing_opted_in', flag('isMarketingOptedIn', answers.isMarketingOptedIn)),
  };
}

const defined = <K extends string>(key: K, value: number | undefined) =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, number>>;

/** Records the answers and that setup is complete; answers not given keep their value. */
export async function completeSetup(
  db: Db,
  userId: number,
  answers: ReturnType<typeof checkSetupAnswers>,
  now: Date,
): Promise<UserSettings> {
  const at = now.toISOString();
  const changes = { ...answers, updated_at: at };
  await db
    .insertInto('user_settings')
    .values({
      user_id: userId,
      job_title: null,
      tracking_anonymized: 0,
      marketing_opted_in: 0,
      setup_completed_at: at,
      ...changes,
    })
    .onConflict((oc) =>
      oc.column('user_id').doUpdateSet((eb) => ({
        ...changes,
        setup_completed_at: eb.fn.coalesce('user_settings.setup_completed_at', eb.val(at)),
      })),
    )
    .execute();
  return readUserSettings(db, userId);
}
