// A small, non-validating XML reader: enough for the parts of an XLSX package
// (workbook, relationships, shared strings, worksheets). It keeps elements,
// attributes and text; it skips the prolog, comments, processing instructions
// and DOCTYPE (no internal entity definitions), and decodes the five named
// entities plus numeric character references. Element names are stored without
// their namespace prefix ('x:row' -> 'row'), because writers differ in prefixes.

export interface XmlElement {
  /** Local name, prefix removed. */
  readonly name: string;
  /** Attributes by their full name ('r:id') and, where not taken, by their local name ('id'). */
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly XmlNode[];
}

export type XmlNode = XmlElement | string;

export class XmlSyntaxError extends Error {
  override readonly name = 'XmlSyntaxError';
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeXmlEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    return NAMED_ENTITIES[ref] ?? whole;
  });
}

/** Escapes text for element content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

const ATTRIBUTE = /([^\s=/>]+)\s*=\s*("([^"]*)"|'([^']*)')/g;

/** Parses a document and returns its root element. Throws XmlSyntaxError on malformed markup. */
export function parseXml(text: string): XmlElement {
  const root: { name: string; attrs: Record<string, string>; children: XmlNode[] } = { name: '#document', attrs: {}, children: [] };
  const stack: (typeof root)[] = [root];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const lt = text.indexOf('<', i);
    const textEnd = lt < 0 ? n : lt;
    if (textEnd > i) {
      const raw = text.slice(i, textEnd);
      if (stack.length > 1) stack[stack.length - 1]!.children.push(decodeXmlEntities(raw));
      else if (raw.trim() !== '') throw new XmlSyntaxError(`text outside the root element at offset ${i}`);
    }
    if (lt < 0) break;
    i = lt;
    if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end < 0) throw new XmlSyntaxError('unterminated comment');
      i = end + 3;
    } else if (text.startsWith('<![CDATA[', i)) {
      const end = text.indexOf(']]>', i + 9);
      if (end < 0) throw new XmlSyntaxError('unterminated CDATA section');
      stack[stack.length - 1]!.children.push(text.slice(i + 9, end));
      i = end + 3;
    } else if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i + 2);
      if (end < 0) throw new XmlSyntaxError('unterminated processing instruction');
      i = end + 2;
    } else if (text.startsWith('<!', i)) {
      const end = text.indexOf('>', i + 2);
      if (end < 0) throw new XmlSyntaxError('unterminated declaration');
      i = end + 1;
    } else if (text.startsWith('</', i)) {
      const end = text.indexOf('>', i + 2);
      if (end < 0) throw new XmlSyntaxError('unterminated end tag');
      const name = localName(text.slice(i + 2, end).trim());
      const open = stack.pop();
      if (!open || stack.length === 0 || open.name !== name) throw new XmlSyntaxError(`unexpected </${name}> at offset ${i}`);
      i = end + 1;
    } else {
      // Start tag; '>' may appear inside quoted attribute values, so scan quote-aware.
      let j = i + 1;
      let quote = '';
      while (j < n) {
        const c = text[j]!;
        if (quote) {
          if (c === quote) quote = '';
        } else if (c === '"' || c === "'") quote = c;
        else if (c === '>') break;
        j++;
      }
      if (j >= n) throw new XmlSyntaxError(`unterminated start tag at offset ${i}`);
      const selfClosing = text[j - 1] === '/';
      const body = text.slice(i + 1, selfClosing ? j - 1 : j);
      const nameMatch = /^[^\s/>]+/.exec(body);
      if (!nameMatch) throw new XmlSyntaxError(`empty tag at offset ${i}`);
      const attrs: Record<string, string> = {};
      for (const m of body.slice(nameMatch[0].length).matchAll(ATTRIBUTE)) {
        const value = decodeXmlEntities(m[3] ?? m[4] ?? '');
        attrs[m[1]!] = value;
        const local = localName(m[1]!);
        if (!(local in attrs)) attrs[local] = value;
      }
      const element = { name: localName(nameMatch[0]), attrs, children: [] as XmlNode[] };
      if (stack.length === 1 && root.children.some((c) => typeof c !== 'string')) throw new XmlSyntaxError('more than one root element');
      stack[stack.length - 1]!.children.push(element);
      if (!selfClosing) stack.push(element);
      i = j + 1;
    }
  }
  if (stack.length > 1) throw new XmlSyntaxError(`unclosed <${stack[stack.length - 1]!.name}>`);
  const top = root.children.find((c): c is XmlElement => typeof c !== 'string');
  if (!top) throw new XmlSyntaxError('no root element');
  return top;
}

/** Child elements with the given local name. */
export function childElements(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((c): c is XmlElement => typeof c !== 'string' && c.name === name);
}

export function firstChild(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c): c is XmlElement => typeof c !== 'string' && c.name === name);
}

/** All text inside the element, in document order. */
export function textContent(element: XmlElement): string {
  let out = '';
  for (const c of element.children) out += typeof c === 'string' ? c : textContent(c);
  return out;
}
