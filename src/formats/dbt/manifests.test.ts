import { describe, expect, it } from 'vitest';
import { planFromManifests, projectFromManifests } from './manifests.ts';

const manifest = (key: string, name: string) =>
  JSON.stringify({ nodes: { [key]: { name, alias: `${name}_table` } } });

describe('dbt manifests read together', () => {
  it("reads every file's models as one project", () => {
    const project = projectFromManifests([
      { name: 'core.json', text: manifest('model.core.orders', 'orders') },
      { name: 'marts.json', text: manifest('model.marts.revenue', 'revenue') },
    ]);
    expect(project.models.map((model) => [model.name, model.relation.table])).toEqual([
      ['orders', 'orders_table'],
      ['revenue', 'revenue_table'],
    ]);
  });

  it('refuses no file, a file that is not JSON, and a node in two files, naming the file', () => {
    expect(() => projectFromManifests([])).toThrow(expect.objectContaining({ field: 'files' }));
    expect(() => projectFromManifests([{ name: 'x.json', text: '{' }])).toThrow(
      expect.objectContaining({ field: 'files[0]', message: expect.stringContaining('x.json is not JSON') }),
    );
    const twice = [
      { name: 'a.json', text: manifest('model.p.orders', 'orders') },
      { name: 'b.json', text: manifest('model.p.orders', 'orders') },
    ];
    expect(() => projectFromManifests(twice)).toThrow(
      expect.objectContaining({ field: 'files[1]', message: expect.stringContaining('also in a.json') }),
    );
    expect(() => projectFromManifests([{ name: 'a.json', text: '[1]' }])).toThrow(
      expect.objectContaining({ field: 'files[0]' }),
    );
  });

  it('makes a plan that carries the failure instead of throwing it', () => {
    expect(planFromManifests([{ name: 'x.json', text: 'nope' }])).toEqual({
      failure: {
        message: expect.stringContaining('x.json is not JSON'),
        field: 'files[0]',
        problem: expect.any(String),
      },
    });
    expect(planFromManifests([{ name: 'a.json', text: manifest('model.p.a', 'a') }])).toMatchObject({
      project: { models: [{ name: 'a' }] },
    });
  });
});
