import { validationError } from '../errors.ts';

/**
 * Formulas of metrics and calculated fields: `+ - * /`, parentheses, numbers and names. A name is
 * bare (letters, digits, `_`, `.`) or double-quoted (`"unit price"`, `""` for a quote) when it
 * holds other characters. Parsed into a small tree whose names are resolved later (resolve.ts),
 * so a formula never reaches SQL as text.
 */
type Operation<Leaf> =
  | { kind: 'number'; value: number }
  | { kind: 'negate'; operand: Arithmetic<Leaf> }
  | { kind: 'binary'; operator: '+' | '-' | '*' | '/'; left: Arithmetic<Leaf>; right: Arithmetic<Leaf> };
export type Arithmetic<Leaf> = Operation<Leaf> | Leaf;

export type FormulaNode = Arithmetic<{ kind: 'name'; name: string }>;

/** Replaces every name of a parsed formula by what it resolves to. */
export const mapNames = <Leaf>(
  node: FormulaNode,
  resolve: (name: string) => Arithmetic<Leaf>,
): Arithmetic<Leaf> => mapLeaves(node, (leaf) => resolve(leaf.name));

/** Replaces every leaf of a tree, keeping its arithmetic. */
export function mapLeaves<From extends { kind: string }, To>(
  node: Arithmetic<From>,
  replace: (leaf: From) => Arithmetic<To>,
): Arithmetic<To> {
  if (!isOperation(node)) return replace(node);
  switch (node.kind) {
    case 'number':
      return node;
    case 'negate':
      return { kind: 'negate', operand: mapLeaves(node.operand, replace) };
    case 'binary':
      return { ...node, left: mapLeaves(node.left, replace), right: mapLeaves(node.right, replace) };
  }
}

/** Renders a resolved tree; `x / 0` is NULL (not an engine error) and division is in floating point. */
export function arithmeticSql<Leaf extends { kind: string }>(
  node: Arithmetic<Leaf>,
  leaf: (leaf: Leaf) => string,
  float: string,
): string {
  const render = (child: Arithmetic<Leaf>): string => arithmeticSql(child, leaf, float);
  if (!isOperation(node)) return leaf(node);
  switch (node.kind) {
    case 'number':
      return String(node.value);
    case 'negate':
      return `(-${render(node.operand)})`;
    case 'binary': {
      const [left, right] = [render(node.left), render(node.right)];
      // Float division everywhere (PostgreSQL divides integers).
      if (node.operator === '/') return `(CAST(${left} AS ${float}) / NULLIF(${right}, 0))`;
      return `(${left} ${node.operator} ${right})`;
    }
  }
}

/** Visits every leaf of a tree. */
export function forEachLeaf<Leaf extends { kind: string }>(
  node: Arithmetic<Leaf>,
  visit: (leaf: Leaf) => void,
): void {
  if (!isOperation(node)) visit(node);
  else if (node.kind === 'negate') forEachLeaf(node.operand, visit);
  else if (node.kind === 'binary') {
    forEachLeaf(node.left, visit);
    forEachLeaf(node.right, visit);
  }
}

const operationKinds = new Set(['number', 'negate', 'binary']);
const isOperation = <Leaf extends { kind: string }>(node: Arithmetic<Leaf>): node is Operation<Leaf> =>
  operationKinds.has(node.kind);

type Token = { kind: 'number' | 'name' | 'symbol'; text: string; at: number };

const maxFormulaLength = 2000;
const tokenPattern = /\s*(?:(\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_.]*)|"((?:[^"]|"")+)"|([-+*/()]))/y;

export function parseFormula(text: string, path: string): FormulaNode {
  if (text.length > maxFormulaLength)
    throw validationError(path, `formula longer than ${maxFormulaLength} characters`);
  const tokens = tokenize(text, path);
  let position = 0;
  const peek = (): Token | undefined => tokens[position];
  const fail = (token: Token | undefined): never => {
    throw validationError(
      path,
      token
        ? `unexpected ${JSON.stringify(token.text)} at position ${token.at + 1}`
        : 'formula ends too early',
    );
  };

  // Recursive descent: expression = term {(+|-) term}; term = factor {(*|/) factor}.
  const expression = (): FormulaNode => {
    let node = term();
    for (let token = peek(); token?.text === '+' || token?.text === '-'; token = peek()) {
      position++;
      node = { kind: 'binary', operator: token.text, left: node, right: term() };
    }
    return node;
  };
  const term = (): FormulaNode => {
    let node = factor();
    for (let token = peek(); token?.text === '*' || token?.text === '/'; token = peek()) {
      position++;
      node = { kind: 'binary', operator: token.text, left: node, right: factor() };
    }
    return node;
  };
  const factor = (): FormulaNode => {
    const token = peek();
    position++;
    if (token?.kind === 'number') return { kind: 'number', value: Number(token.text) };
    if (token?.kind === 'name') return { kind: 'name', name: token.text };
    if (token?.text === '-') return { kind: 'negate', operand: factor() };
    if (token?.text === '(') {
      const inner = expression();
      if (peek()?.text !== ')') fail(peek());
      position++;
      return inner;
    }
    return fail(token);
  };

  const tree = expression();
  if (position < tokens.length) fail(tokens[position]);
  return tree;
}

function tokenize(text: string, path: string): Token[] {
  const tokens: Token[] = [];
  tokenPattern.lastIndex = 0;
  while (text.slice(tokenPattern.lastIndex).trim() !== '') {
    const at = tokenPattern.lastIndex;
    const match = tokenPattern.exec(text);
    if (!match) {
      const offset = at + (text.slice(at).length - text.slice(at).trimStart().length);
      throw validationError(path, `unexpected ${JSON.stringify(text[offset])} at position ${offset + 1}`);
    }
    const [whole, number, name, quoted, symbol] = match;
    const start = at + whole.length - whole.trimStart().length;
    if (number !== undefined) tokens.push({ kind: 'number', text: number, at: start });
    else if (name !== undefined) tokens.push({ kind: 'name', text: name, at: start });
    else if (quoted !== undefined)
      tokens.push({ kind: 'name', text: quoted.replaceAll('""', '"'), at: start });
    else tokens.push({ kind: 'symbol', text: symbol, at: start });
  }
  return tokens;
}
