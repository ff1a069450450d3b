import { validationError } from '../errors.ts';

/**
 * Metric formulas: `+ - * /`, parentheses, numbers and metric names (letters, digits, `_`, `.`).
 * Parsed into a small tree whose names are resolved later (validate.ts), so a formula never
 * reaches SQL as text.
 */
export type FormulaNode =
  | { kind: 'number'; value: number }
  | { kind: 'name'; name: string }
  | { kind: 'negate'; operand: FormulaNode }
  | { kind: 'binary'; operator: '+' | '-' | '*' | '/'; left: FormulaNode; right: FormulaNode };

type Token = { kind: 'number' | 'name' | 'symbol'; text: string; at: number };

const maxFormulaLength = 2000;
const tokenPattern = /\s*(?:(\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_.]*)|([-+*/()]))/y;

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
    const [whole, number, name, symbol] = match;
    const start = at + whole.length - (number ?? name ?? symbol).length;
    if (number !== undefined) tokens.push({ kind: 'number', text: number, at: start });
    else if (name !== undefined) tokens.push({ kind: 'name', text: name, at: start });
    else tokens.push({ kind: 'symbol', text: symbol, at: start });
  }
  return tokens;
}
