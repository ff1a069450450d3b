import type { Store } from '../../store/database.ts';
import type { DataSource } from './types.ts';

/**
 * What else reads a data source's connection, named for a message: its other data sources, and
 * its models but those built only on the source (they follow it wherever it goes).
 */
export async function otherReaders(
  store: Store,
  connectionId: number,
  source: DataSource,
): Promise<string[]> {
  const sources = await store.db
    .selectFrom('data_sources')
    .select('name')
    .where('connection_id', '=', connectionId)
    .where('id', '!=', source.id)
    .where('deleted_at', 'is', null)
    .execute();
  const models = await store.db
    .selectFrom('models')
    .select(['name', 'definition'])
    .where('connection_id', '=', connectionId)
    .execute();
  const readsOnlySource = (definition: string) =>
    ((JSON.parse(definition) as { tables?: { dataSource?: string }[] }).tables ?? []).every(
      (table) => table.dataSource === source.uuid,
    );
  return [
    ...sources.map((other) => `data source "${other.name}"`),
    ...models.filter((model) => !readsOnlySource(model.definition)).map((model) => `model "${model.name}"`),
  ];
}
