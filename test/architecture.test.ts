import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The layering of ARCHITECTURE §1-§2, checked on the imports themselves: the core knows nothing
 * of HTTP or of a particular warehouse, a face knows no other face, and the browser app shares
 * only the browser-safe core files listed here.
 */

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

interface Import {
  /** The importing file, from the repository root (`src/core/query/compile.ts`). */
  file: string;
  /** The imported file, from the repository root, or the bare specifier of a package. */
  target: string;
  /** `import type` / `export type`: erased when compiled, so nothing of it runs. */
  typeOnly: boolean;
}

function filesUnder(folder: string, extensions: RegExp): string[] {
  return readdirSync(join(root, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && extensions.test(entry.name))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split('\\').join('/'))
    .sort();
}

/** Block comments and whole-line comments go first, so an example in a doc comment is no import. */
const withoutComments = (source: string) =>
  source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');

/** Each pattern captures the specifier, and `type` when the whole statement is type-only. */
const IMPORT_PATTERNS = [
  // `import x from '…'`, `import type { … } from '…'`, `export * from '…'`, over several lines
  /\b(?:import|export)\s+(?<type>type\s)?[^'";]*?\sfrom\s*['"](?<specifier>[^'"]+)['"]/g,
  // `import '…'` for its effects
  /^\s*import\s*['"](?<specifier>[^'"]+)['"]/gm,
  // `import('…')`
  /\bimport\(\s*['"](?<specifier>[^'"]+)['"]\s*\)/g,
];

function specifiersOf(source: string): { specifier: string; typeOnly: boolean }[] {
  const text = withoutComments(source);
  return IMPORT_PATTERNS.flatMap((pattern) =>
    [...text.matchAll(pattern)].map(({ groups = {} }) => ({
      specifier: groups.specifier,
      typeOnly: groups.type !== undefined,
    })),
  );
}

function importsOf(file: string): Import[] {
  return specifiersOf(readFileSync(join(root, file), 'utf8')).map(({ specifier, typeOnly }) => ({
    file,
    target: specifier.startsWith('.') ? posix.join(posix.dirname(file), specifier) : specifier,
    typeOnly,
  }));
}

const serverImports = filesUnder('src', /\.ts$/).flatMap(importsOf);
const webImports = filesUnder('web/src', /\.tsx?$/).flatMap(importsOf);

const render = (imports: Import[]) => imports.map(({ file, target }) => `${file} → ${target}`);

/** Imports breaking a rule, listed as `file → import` so a failure names what to fix. */
function breaking(imports: Import[], rule: (from: string, to: string) => boolean): string[] {
  return render(imports.filter(({ file, target }) => rule(file, target)));
}

/** The dialect a path belongs to (`src/http/dialects/serenytics/x.ts` → `serenytics`). */
const dialectOf = (path: string) => /^src\/http\/dialects\/([^/]+)\//.exec(path)?.[1];
const isFace = (path: string) => path.startsWith('src/http/native/') || dialectOf(path) !== undefined;
const isTest = (path: string) => path.endsWith('.test.ts');

/**
 * The core files the web app runs in the browser: pure functions over answers and queries
 * (labels, formats, grids, chart options, variables, alert conditions). Adding one means
 * checking it, and everything it imports, runs in a browser.
 */
const SHARED_WITH_WEB = [
  'src/core/content/variables.ts',
  'src/core/exports/chart-display.ts',
  'src/core/exports/chart-labels.ts',
  'src/core/exports/chart-options.ts',
  'src/core/exports/chart-points.ts',
  'src/core/exports/present.ts',
  'src/core/exports/table-grid.ts',
  'src/core/query/drill.ts',
  'src/core/query/variables.ts',
  'src/core/schedules/conditions.ts',
  'src/core/schedules/types.ts',
];

describe('import layering', () => {
  it('reads every kind of import', () => {
    const source = [
      "import a from './a.ts';",
      "import type {\n  B,\n  C,\n} from '../b.ts';",
      "export * from './c.ts';",
      "export { d } from './d.ts';",
      "import './effects.ts';",
      "const e = await import('./e.ts');",
      "/** import nothing from './comment.ts' */",
      "// import nothing from './line-comment.ts'",
      "const text = 'import from nowhere';",
    ].join('\n');
    const read = specifiersOf(source).map(
      ({ specifier, typeOnly }) => `${specifier}${typeOnly ? ' (type)' : ''}`,
    );
    expect(read.sort()).toEqual(
      ['./a.ts', '../b.ts (type)', './c.ts', './d.ts', './effects.ts', './e.ts'].sort(),
    );
    expect(serverImports.length).toBeGreaterThan(1000);
    expect(webImports.some(({ target }) => target.startsWith('src/'))).toBe(true);
  });

  it('keeps each dialect away from the other faces and the composition root', () => {
    const offending = breaking(serverImports, (from, to) => {
      const dialect = dialectOf(from);
      if (dialect === undefined) return false;
      const other = dialectOf(to);
      return (
        (other !== undefined && other !== dialect) || to.startsWith('src/http/native/') || to === 'src/app.ts'
      );
    });
    expect(offending).toEqual([]);
  });

  it('keeps the native face away from the dialects and the composition root', () => {
    const offending = breaking(
      serverImports,
      (from, to) =>
        from.startsWith('src/http/native/') && (dialectOf(to) !== undefined || to === 'src/app.ts'),
    );
    expect(offending).toEqual([]);
  });

  it('keeps the kit free of any face', () => {
    const offending = breaking(
      serverImports,
      (from, to) => from.startsWith('src/http/kit/') && (isFace(to) || to === 'src/app.ts'),
    );
    expect(offending).toEqual([]);
  });

  it('keeps the core free of HTTP, the composition root and any one warehouse', () => {
    // The engines module's own files (`types.ts`, `index.ts`, …) are its interface; a folder
    // under it is one engine. Tests beside core code may run on a real engine.
    const oneEngine = (to: string) => /^src\/engines\/[^/]+\//.test(to);
    const offending = breaking(
      serverImports,
      (from, to) =>
        from.startsWith('src/core/') &&
        (to.startsWith('src/http/') || to === 'src/app.ts' || (oneEngine(to) && !isTest(from))),
    );
    expect(offending).toEqual([]);
  });

  it('keeps formats (models as code) beside the core: the core never imports them, they import no face', () => {
    const offending = breaking(
      serverImports,
      (from, to) =>
        (from.startsWith('src/core/') && to.startsWith('src/formats/')) ||
        (from.startsWith('src/formats/') && (to.startsWith('src/http/') || to === 'src/app.ts')),
    );
    expect(offending).toEqual([]);
  });

  it('lets the web app import only the core files shared with the browser', () => {
    const offending = breaking(
      webImports,
      (_from, to) => to.startsWith('src/') && !SHARED_WITH_WEB.includes(to),
    );
    expect(offending).toEqual([]);
  });

  it('keeps the shared files browser-safe all the way down', () => {
    // What the shared files run, transitively, must not reach Node or the server; type-only
    // imports are erased and run nothing.
    const runtimeImports = serverImports.filter((each) => !each.typeOnly);
    const reached = new Set(SHARED_WITH_WEB);
    for (const file of reached) {
      for (const { target } of runtimeImports.filter((each) => each.file === file)) {
        if (target.startsWith('src/')) reached.add(target);
      }
    }
    const offending = breaking(
      runtimeImports,
      (from, to) =>
        reached.has(from) &&
        (to.startsWith('node:') ||
          /^src\/(http|store|engines\/[^/]+)\//.test(to) ||
          ['src/app.ts', 'src/config.ts', 'src/services.ts'].includes(to)),
    );
    expect(offending).toEqual([]);
  });
});
