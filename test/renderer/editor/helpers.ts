// Tiny label maps drawn as text, so a test's input and answer can be read on paper:
// '.' background, 'r' disc rim, 'c' cup.
import { AnnotationDocument } from '../../../src-renderer/src/editor/document';
import type { ToolContext } from '../../../src-renderer/src/editor/tools/types';
import type { Structure } from '../../../src-renderer/src/editor/labels';

export function labelsFromText(rows: readonly string[]): { width: number; height: number; labels: Uint8Array } {
  const width = rows[0]!.length;
  const height = rows.length;
  const labels = new Uint8Array(width * height);
  rows.forEach((row, y) => {
    if (row.length !== width) throw new Error(`row ${y} has ${row.length} characters, expected ${width}`);
    for (let x = 0; x < width; x++) labels[y * width + x] = '.rc'.indexOf(row[x]!);
  });
  return { width, height, labels };
}

export function textFromLabels(labels: Uint8Array, width: number): string[] {
  const rows: string[] = [];
  for (let y = 0; y * width < labels.length; y++) rows.push(Array.from(labels.subarray(y * width, (y + 1) * width), (v) => '.rc'[v]).join(''));
  return rows;
}

export function documentFromText(rows: readonly string[]): AnnotationDocument {
  const { width, height, labels } = labelsFromText(rows);
  return new AnnotationDocument(width, height, labels);
}

/** A tool context with a hand-driven clock. */
export function toolContext(document: AnnotationDocument, structure: Structure, brushRadius = 1, clock = { t: 0 }): ToolContext {
  return { document, structure, brushRadius, pickRadius: 0.75, now: () => clock.t };
}
