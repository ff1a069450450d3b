/**
 * A dashboard's header HTML and custom CSS are written by its editors but rendered for every
 * viewer, so they pass through an allow-list here before they reach the page: a dashboard editor
 * must not be able to run script in a viewer's session (which holds the viewer's API token).
 */

/** Elements kept as they are (with the attributes below); any other element keeps only its text. */
const ALLOWED_TAGS = new Set([
  'a',
  'abbr',
  'b',
  'blockquote',
  'br',
  'code',
  'del',
  'div',
  'em',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'hr',
  'i',
  'img',
  'li',
  'mark',
  'ol',
  'p',
  'pre',
  's',
  'small',
  'span',
  'strong',
  'sub',
  'sup',
  'u',
  'ul',
]);
/** Elements dropped with everything inside them: their content is code or embedded documents. */
const DROPPED_TAGS = new Set([
  'script',
  'style',
  'template',
  'iframe',
  'frame',
  'frameset',
  'object',
  'embed',
  'noscript',
  'svg',
  'math',
  'link',
  'meta',
  'base',
  'form',
  'textarea',
  'select',
]);
const GLOBAL_ATTRIBUTES = new Set(['class', 'title', 'style', 'lang', 'dir']);
const TAG_ATTRIBUTES: Record<string, Set<string>> = {
  a: new Set(['href', 'target']),
  img: new Set(['src', 'alt', 'width', 'height']),
};

const HTTP_URL = /^https?:\/\//i;
const DATA_IMAGE = /^data:image\/(png|jpeg|gif|webp);base64,[a-z0-9+/=\s]+$/i;
/** A declaration block is refused whole when it could run or fetch something other than http(s) images. */
const UNSAFE_STYLE =
  /expression\s*\(|javascript:|vbscript:|-moz-binding|behavior\s*:|@import|url\s*\(\s*['"]?\s*(?!https?:|data:image\/)/i;

/** The header HTML reduced to the allow-list: text formatting, http(s) links, this server's and data images. */
export function sanitizeHtml(html: string): string {
  // DOMParser documents are inert: nothing in them runs or loads while we walk them.
  const source = new DOMParser().parseFromString(html, 'text/html');
  const clean = source.createElement('div');
  copyChildren(source.body, clean);
  return clean.innerHTML;
}

function copyChildren(from: Node, to: Element): void {
  for (const child of from.childNodes) {
    if (child.nodeType === Node.TEXT_NODE) to.append(child.textContent ?? '');
    else if (child instanceof Element) copyElement(child, to);
  }
}

function copyElement(element: Element, to: Element): void {
  const tag = element.localName;
  if (DROPPED_TAGS.has(tag)) return;
  if (!ALLOWED_TAGS.has(tag)) {
    copyChildren(element, to);
    return;
  }
  const copy = to.ownerDocument.createElement(tag);
  for (const { name, value } of element.attributes) {
    if (!GLOBAL_ATTRIBUTES.has(name) && !TAG_ATTRIBUTES[tag]?.has(name)) continue;
    const safe = safeAttribute(tag, name, value.trim());
    if (safe !== null) copy.setAttribute(name, safe);
  }
  if (tag === 'a' && copy.hasAttribute('target')) copy.setAttribute('rel', 'noopener noreferrer');
  if (tag === 'img' && !copy.hasAttribute('src')) return;
  copyChildren(element, copy);
  to.append(copy);
}

/**
 * An image of this server (the Content-Security-Policy loads no other, so a foreign one would only
 * show as broken).
 */
function sameOrigin(value: string): boolean {
  if (!HTTP_URL.test(value) && !value.startsWith('/')) return false;
  try {
    return new URL(value, location.href).origin === location.origin;
  } catch {
    return false;
  }
}

function safeAttribute(tag: string, name: string, value: string): string | null {
  if (name === 'href') return HTTP_URL.test(value) ? value : null;
  if (name === 'src') return sameOrigin(value) || DATA_IMAGE.test(value) ? value : null;
  if (name === 'target') return value === '_blank' ? value : null;
  if (name === 'style') return UNSAFE_STYLE.test(value) ? null : value;
  if ((name === 'width' || name === 'height') && tag === 'img') return /^\d{1,4}$/.test(value) ? value : null;
  return value;
}

/**
 * The custom CSS with every rule confined to the dashboard (`scope`, a selector of its root
 * element). Without the prefix a rule like `button { display: none }` would restyle the whole
 * application around the dashboard; `html`, `body` and `:root` stand for the dashboard itself.
 * `@import` (a fetch the page did not ask for) and rules the browser cannot parse are dropped.
 */
export function scopeCss(css: string, scope: string): string {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(css.replace(/<\/style/gi, '').replace(/@import[^;]*;?/gi, ''));
  return scopedRules(sheet.cssRules, scope).join('\n');
}

function scopedRules(rules: CSSRuleList, scope: string): string[] {
  return [...rules].flatMap((rule) => {
    if (rule instanceof CSSStyleRule) {
      const selectors = splitSelectors(rule.selectorText).map((s) => scopedSelector(s, scope));
      return [`${selectors.join(', ')} { ${rule.style.cssText} }`];
    }
    if (rule instanceof CSSMediaRule)
      return [`@media ${rule.conditionText} {\n${scopedRules(rule.cssRules, scope).join('\n')}\n}`];
    if (rule instanceof CSSSupportsRule)
      return [`@supports ${rule.conditionText} {\n${scopedRules(rule.cssRules, scope).join('\n')}\n}`];
    if (rule instanceof CSSKeyframesRule || rule instanceof CSSFontFaceRule) return [rule.cssText];
    return [];
  });
}

function scopedSelector(selector: string, scope: string): string {
  const root = /^(?::root|html|body)(?![\w-])/i.exec(selector);
  return root ? scope + selector.slice(root[0].length) : `${scope} ${selector}`;
}

/** Top-level comma split: commas inside `:is(…)`, `[attr="a,b"]` and strings stay. */
function splitSelectors(list: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(list.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(list.slice(start).trim());
  return parts.filter(Boolean);
}
