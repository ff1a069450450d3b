import { validationError } from '../../../../core/errors.ts';

/**
 * Sisense formula text (`RSUM(SUM([Revenue]))`, `([Total], [Female]) / [Count]`) as a tree:
 * numbers, `+ - * /`, `[context member]` references, function calls, and measured values
 * `(expression, [filter member], …)` — an expression restricted by filter members.
 */
export type FormulaTree =
  | { kind: 'number'; value: number }
  | { kind: 'negate'; operand: FormulaTree }
  | { kind: 'binary'; operator: '+' | '-' | '*' | '/'; left: FormulaTree; right: FormulaTree }
  | { kind: 'ref'; name: string }
  | { kind: 'text'; value: string }
  | { kind: 'call'; name: string; args: FormulaTree[] }
  | { kind: 'measured'; expression: FormulaTree; filters: string[] };

type Token = { type: 'number' | 'ref' | 'name' | 'text' | 'symbol'; text: string };

function tokenize(formula: string, path: string): Token[] {
  const tokens: Token[] = [];
  const pattern =
    /\s*(?:(\d+(?:\.\d+)?)|(\[[^\]]+\])|([A-Za-z_][A-Za-z0-9_]*)|"([^"]*)"|'([^']*)'|([-+*/(),]))/y;
  let at = 0;
  while (at < formula.length) {
    if (/^\s*$/.test(formula.slice(at))) break;
    pattern.lastIndex = at;
    const match = pattern.exec(formula);
    if (!match)
      throw validationError(path, `cannot read the formula at ${JSON.stringify(formula.slice(at, at + 12))}`);
    at = pattern.lastIndex;
    if (match[1] !== undefined) tokens.push({ type: 'number', text: match[1] });
    else if (match[2] !== undefined) tokens.push({ type: 'ref', text: match[2] });
    else if (match[3] !== undefined) tokens.push({ type: 'name', text: match[3].toUpperCase() });
    else if (match[4] !== undefined || match[5] !== undefined)
      tokens.push({ type: 'text', text: match[4] ?? match[5] });
    else tokens.push({ type: 'symbol', text: match[6] });
  }
  return tokens;
}

export function parseSisenseFormula(formula: string, path: string): FormulaTree {
  const tokens = tokenize(formula, path);
  let position = 0;
  const peek = (): Token | undefined => tokens[position];
  const fail = (problem: string) => validationError(path, problem);
  const expect = (symbol: string) => {
    const token = tokens[position++];
    if (token?.text !== symbol)
      throw fail(`expected "${symbol}"${token ? ` before ${JSON.stringify(token.text)}` : ' at the end'}`);
  };
  const isSymbol = (symbol: string) => peek()?.type === 'symbol' && peek()?.text === symbol;

  const expression = (): FormulaTree => {
    let left = term();
    while (isSymbol('+') || isSymbol('-')) {
      const operator = tokens[position++].text as '+' | '-';
      left = { kind: 'binary', operator, left, right: term() };
    }
    return left;
  };
  const term = (): FormulaTree => {
    let left = factor();
    while (isSymbol('*') || isSymbol('/')) {
      const operator = tokens[position++].text as '*' | '/';
      left = { kind: 'binary', operator, left, right: factor() };
    }
    return left;
  };
  const factor = (): FormulaTree => {
    const token = tokens[position++];
    if (!token) throw fail('ends too early');
    if (token.type === 'number') return { kind: 'number', value: Number(token.text) };
    if (token.type === 'ref') return { kind: 'ref', name: token.text };
    if (token.type === 'text') return { kind: 'text', value: token.text };
    if (token.type === 'name') {
      expect('(');
      const args: FormulaTree[] = [];
      if (!isSymbol(')'))
        do args.push(expression());
        while (isSymbol(',') && position++ >= 0);
      expect(')');
      return { kind: 'call', name: token.text, args };
    }
    if (token.text === '-') return { kind: 'negate', operand: factor() };
    if (token.text === '(') {
      const inner = expression();
      const filters: string[] = [];
      while (isSymbol(',')) {
        position++;
        const member = tokens[position++];
        if (member?.type !== 'ref')
          throw fail('a measured value lists filter members: ([measure], [filter], …)');
        filters.push(member.text);
      }
      expect(')');
      return filters.length > 0 ? { kind: 'measured', expression: inner, filters } : inner;
    }
    throw fail(`unexpected ${JSON.stringify(token.text)}`);
  };

  const tree = expression();
  if (position < tokens.length) throw fail(`unexpected ${JSON.stringify(tokens[position].text)}`);
  return tree;
}
