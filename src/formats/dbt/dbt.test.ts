// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Lightdash's SQL placeholders
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DataSource } from '../../core/data/index.ts';
import type { ColumnInfo, ColumnType } from '../../engines/types.ts';
import { projectFromExplores } from './explores.ts';
import { type DbtFile, projectFromFiles, projectFromManifest } from './project.ts';
import { type ModelRelationInfo, mapProject } from './to-models.ts';
import { projectToFiles } from './to-yaml.ts';

const demoDir = join(import.meta.dirname, '..', '..', '..', 'examples', 'dbt-demo');
const demoFiles: DbtFile[] = ['dbt_project.yml', 'models/schema.yml', 'models/regions.sql'].map((path) => ({
  path,
  content: readFileSync(join(demoDir, path), 'utf8'),
}));

const column = (name: string, type: ColumnType = 'string'): ColumnInfo => ({
  name,
  type,
  nativeType: type,
  nullable: true,
});
const relations = new Map<string, ModelRelationInfo>([
  [
    'demo_sales',
    {
      dataSource: 'sales-uuid',
      label: 'demo_sales',
      columns: [
        column('date', 'datetime'),
        column('country'),
        column('category'),
        column('subcategory'),
        column('quantity', 'integer'),
        column('price', 'number'),
        column('cost_of_goods', 'number'),
      ],
    },
  ],
  [
    'regions',
    { dataSource: 'regions-uuid', label: 'regions', columns: [column('country'), column('region')] },
  ],
]);
const sources = new Map([
  [
    'sales-uuid',
    { uuid: 'sales-uuid', name: 'demo_sales', type: 'storage', schema: 'storage', table: 'ds_1' },
  ],
  ['regions-uuid', { uuid: 'regions-uuid', name: 'regions', type: 'sql', sql: 'select 1 as country' }],
]) as unknown as Map<string, DataSource>;

const schema = (yaml: string): DbtFile[] => [{ path: 'models/s.yml', content: yaml }];
const mapped = (files: DbtFile[]) => mapProject(projectFromFiles(files), relations);
const refusal = (files: DbtFile[]) => {
  try {
    mapped(files);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('accepted');
};

describe('dbt schema files → models', () => {
  it('reads the demo project: joins, metrics as aggregations, SQL, formulas, filters, a row policy', () => {
    const [sales, regions] = mapped(demoFiles);
    expect(regions.definition.tables).toEqual([{ name: 'regions', dataSource: 'regions-uuid' }]);
    const { definition } = sales;
    expect(definition.tables.map((t) => t.name)).toEqual(['demo_sales', 'regions']);
    expect(definition.dimensions.find((d) => d.name === 'line_revenue')).toEqual({
      name: 'line_revenue',
      table: 'demo_sales',
      sql: '${TABLE}.price * ${TABLE}.quantity',
      type: 'number',
    });
    // The join's `fields` pick the joined model's fields.
    expect(definition.dimensions.filter((d) => d.table === 'regions').map((d) => d.name)).toEqual(['region']);
    const metric = (name: string) => definition.metrics.find((m) => m.name === name);
    expect(metric('units_sold')).toEqual({
      name: 'units_sold',
      table: 'demo_sales',
      label: 'Units sold',
      aggregation: 'sum',
      column: 'quantity',
    });
    expect(metric('electronics_revenue')?.sql).toBe(
      "SUM(CASE WHEN ${TABLE}.category = 'Electronics' THEN ${TABLE}.price * ${TABLE}.quantity END)",
    );
    expect(metric('margin_rate')?.formula).toBe('margin / revenue');
    expect(definition.policies).toEqual([{ field: 'demo_sales.country', attribute: 'country' }]);
  });

  it('exports YAML and .sql files that read back to the same models', () => {
    const models = mapped(demoFiles).map((m) => ({ name: m.name, ...m.definition }));
    const files = projectToFiles(models, sources);
    expect(files.map((f) => f.path)).toEqual(['models/schema.yml', 'models/regions.sql']);
    const again = mapProject(projectFromFiles(files), relations).map((m) => ({
      name: m.name,
      ...m.definition,
    }));
    expect(again).toEqual(models);
  });

  it('renders Lightdash filter values as SQL conditions', () => {
    const [model] = mapped(
      schema(`
models:
  - name: demo_sales
    columns:
      - name: country
      - name: category
      - name: subcategory
      - name: date
      - name: quantity
        meta:
          metrics:
            big_foreign:
              type: count
              filters:
                - quantity: '>= 3'
                - country: '!France'
                - category: [Toys, "O'Brien"]
                - subcategory: '%phone%'
                - date: '!null'
`),
    );
    expect(model.definition.metrics[0].sql).toBe(
      "COUNT(CASE WHEN ${TABLE}.quantity >= 3 AND ${TABLE}.country <> 'France' AND " +
        "${TABLE}.category IN ('Toys', 'O''Brien') AND ${TABLE}.subcategory LIKE '%phone%' AND " +
        '${TABLE}.date IS NOT NULL THEN ${TABLE}.quantity END)',
    );
  });

  it('keeps required attributes of models, dimensions and metrics, and writes them back', () => {
    const [model] = mapped(
      schema(`
models:
  - name: demo_sales
    meta:
      required_attributes: {team: [sales, finance]}
      metrics:
        margin: {type: sum, sql: '\${TABLE}.price - \${TABLE}.cost_of_goods', required_attributes: {is_admin: "true"}}
    columns:
      - name: country
      - name: cost_of_goods
        meta:
          dimension: {required_attributes: {is_admin: "true"}}
`),
    );
    const { definition } = model;
    expect(definition.tables[0].requiredAttributes).toEqual({ team: ['sales', 'finance'] });
    expect(definition.dimensions.find((d) => d.name === 'cost_of_goods')?.requiredAttributes).toEqual({
      is_admin: ['true'],
    });
    expect(definition.dimensions.find((d) => d.name === 'country')?.requiredAttributes).toBeUndefined();
    expect(definition.metrics[0].requiredAttributes).toEqual({ is_admin: ['true'] });
    const [file] = projectToFiles([{ name: 'demo_sales', ...definition, connectionId: 1 } as never], sources);
    const again = mapped([{ path: 'models/s.yml', content: file.content }])[0].definition;
    expect(again.tables[0].requiredAttributes).toEqual(definition.tables[0].requiredAttributes);
    expect(again.dimensions).toEqual(definition.dimensions);
    expect(again.metrics).toEqual(definition.metrics);
  });

  it('names the file, the model and the field of every refusal', () => {
    expect(refusal(schema('models:\n  - name: demo_sales\n    columns: [{name: nope}]\n'))).toBe(
      'models/s.yml:models[0].columns[0].name: no column "nope" in demo_sales',
    );
    expect(
      refusal(
        schema(
          'models:\n  - name: demo_sales\n    columns:\n      - name: price\n        meta: {metrics: {p: {type: text}}}\n',
        ),
      ),
    ).toMatch(/^models\/s\.yml:models\[0\]\.columns\[0\]\.meta\.metrics\.p\.type: must be one of sum, /);
    expect(
      refusal(schema('models:\n  - name: demo_sales\n    meta: {joins: [{join: users, sql_on: x}]}\n')),
    ).toBe('models/s.yml:models[0].meta.joins[0].join: no model named "users" in the project');
    expect(
      refusal(schema('models:\n  - name: demo_sales\n    meta: {required_attributes: {is_admin: []}}\n')),
    ).toBe('models/s.yml:models[0].meta.required_attributes.is_admin: must give 1 to 100 values');
    expect(
      refusal(
        schema(
          'models:\n  - name: demo_sales\n    columns: [{name: price}]\n    meta: {metrics: {m: {type: number, sql: "SUM(${price}) / ${other}"}}}\n',
        ),
      ),
    ).toMatch(/^models\/s\.yml:models\[0\]\.meta\.metrics\.m\.sql: \$\{other\}: no field "other"/);
    expect(
      refusal(
        schema(
          'models:\n  - name: demo_sales\n    config:\n      meta:\n        joins: [{join: regions, sql_on: "${demo_sales.country} LIKE ${regions.country}"}]\n  - name: regions\n',
        ),
      ),
    ).toMatch(/^models\/s\.yml:models\[0\]\.config\.meta\.joins\[0\]\.sql_on: only equalities/);
    expect(
      refusal(
        schema(
          'models:\n  - name: demo_sales\n    meta: {joins: [{join: regions, sql_on: "${demo_sales.country} = regions.country", fields: [nope]}]}\n  - name: regions\n',
        ),
      ),
    ).toBe('models/s.yml:models[0].meta.joins[0].fields: no field "nope" in model "regions"');
    expect(
      refusal([...schema('models:\n  - name: regions\n'), ...schema('models:\n  - name: regions\n')]),
    ).toMatch(/models\[0\]\.name: model "regions" is also defined at models\/s\.yml:models\[0\]/);
    expect(() =>
      projectFromFiles([{ path: 'models/a.sql', content: "select * from {{ ref('x') }}" }]),
    ).toThrow(/^models\/a\.sql: holds Jinja/);
  });
});

describe('other sources of a dbt project', () => {
  it('reads model nodes of a manifest with config.meta and compiled SQL', () => {
    const project = projectFromManifest({
      nodes: {
        'model.shop.orders': {
          name: 'orders',
          schema: 'analytics',
          compiled_code: 'select 1 as id;',
          columns: { id: { name: 'id', config: { meta: { dimension: { label: 'Id' } } } } },
        },
        'seed.shop.countries': { name: 'countries' },
      },
    });
    expect(project.models).toMatchObject([
      {
        name: 'orders',
        at: 'manifest.json:nodes["model.shop.orders"]',
        relation: { schema: 'analytics', table: 'orders' },
        sql: 'select 1 as id',
        columns: [{ name: 'id', meta: { dimension: { label: 'Id' } } }],
      },
    ]);
  });

  it("reads Lightdash's compiled explores back into models", () => {
    const project = projectFromExplores([
      {
        name: 'demo_sales',
        baseTable: 'demo_sales',
        joinedTables: [
          { table: 'regions', sqlOn: '${demo_sales.country} = ${regions.country}', type: 'inner' },
        ],
        tables: {
          demo_sales: {
            name: 'demo_sales',
            schema: 'storage',
            uncompiledSqlWhere: '${TABLE}.country = ${ld.attr.country}',
            dimensions: {
              country: { type: 'string', sql: '${TABLE}.country', label: 'Country' },
              category: { type: 'string', sql: '${TABLE}.category' },
              date: { type: 'timestamp', sql: '${TABLE}.date' },
              date_month: { type: 'timestamp', sql: '…', timeIntervalBaseDimensionName: 'date' },
            },
            metrics: {
              units: {
                type: 'sum',
                sql: '${TABLE}.quantity',
                filters: [{ target: { fieldRef: 'category' }, operator: 'equals', values: ['Toys'] }],
              },
              count_auto: { type: 'count', sql: '', isAutoGenerated: true },
            },
          },
          regions: {
            name: 'regions',
            dimensions: { country: { type: 'string', sql: '${TABLE}.country' } },
            metrics: {},
          },
        },
      },
    ]);
    const [sales] = mapProject(project, relations);
    expect(sales.definition.joins).toEqual([
      { table: 'regions', type: 'inner', on: [{ left: 'demo_sales.country', right: 'regions.country' }] },
    ]);
    expect(sales.definition.dimensions.map((d) => `${d.table}.${d.name}`)).toEqual([
      'demo_sales.country',
      'demo_sales.category',
      'demo_sales.date',
      'regions.country',
    ]);
    expect(sales.definition.policies).toEqual([{ field: 'demo_sales.country', attribute: 'country' }]);
    expect(sales.definition.metrics).toEqual([
      {
        name: 'units',
        table: 'demo_sales',
        sql: "SUM(CASE WHEN ${TABLE}.category = 'Toys' THEN ${TABLE}.quantity END)",
      },
    ]);
  });
});
