import { describe, expect, it } from 'vitest';
import { childElements, escapeXml, firstChild, parseXml, textContent, XmlSyntaxError } from '../../../src-main/core/data/xml';

describe('parseXml', () => {
  it('reads elements, attributes, text, entities and CDATA; drops prefixes, comments and the prolog', () => {
    const root = parseXml(
      `<?xml version="1.0"?>\n<!-- a comment --><x:doc xmlns:x="urn:x" a="1 &amp; 2" b='q"uote'>` +
        `<x:item r:id="rId7" note="a>b"/><item>&lt;t&gt; &#65;&#x42; <![CDATA[<raw> & ]]></item></x:doc>`,
    );
    expect(root.name).toBe('doc');
    expect(root.attrs.a).toBe('1 & 2');
    expect(root.attrs.b).toBe('q"uote');
    const items = childElements(root, 'item');
    expect(items).toHaveLength(2);
    expect(items[0]!.attrs['r:id']).toBe('rId7');
    expect(items[0]!.attrs.id).toBe('rId7');
    expect(items[0]!.attrs.note).toBe('a>b');
    expect(textContent(items[1]!)).toBe('<t> AB <raw> & ');
    expect(firstChild(root, 'missing')).toBeUndefined();
  });

  it('rejects mismatched, unclosed and rootless documents', () => {
    expect(() => parseXml('<a><b></a>')).toThrow(XmlSyntaxError);
    expect(() => parseXml('<a><b>')).toThrow(XmlSyntaxError);
    expect(() => parseXml('just text')).toThrow(XmlSyntaxError);
    expect(() => parseXml('<a/><b/>')).toThrow(XmlSyntaxError);
  });

  it('escapeXml round-trips through the parser', () => {
    const text = `a < b & "c" > d`;
    expect(parseXml(`<t v="${escapeXml(text)}">${escapeXml(text)}</t>`).attrs.v).toBe(text);
    expect(textContent(parseXml(`<t>${escapeXml(text)}</t>`))).toBe(text);
  });
});
