// The editor's buffers travel as the contract's run-length label maps.
import { describe, expect, it } from 'vitest';
import { decodeLabelRuns, encodeLabelRuns } from '../../../src-main/core/contract/label-map';
import { AnnotationDocument } from '../../../src-renderer/src/editor/document';
import { createDefaultToolRegistry } from '../../../src-renderer/src/editor/tools/registry';
import { labelsFromText, toolContext } from './helpers';

describe('label maps between the editor and the API', () => {
  it('encodes the edited buffer and decodes it back unchanged', () => {
    const { width, height, labels } = labelsFromText(['......', '.rrrr.', '.rccr.', '.rrrr.']);
    const doc = new AnnotationDocument(width, height, decodeLabelRuns(encodeLabelRuns(labels, width, height)));
    const brush = createDefaultToolRegistry().createAll().get('brush')!;
    doc.commit(brush.pointerDown(toolContext(doc, 'disc', 0.5), { point: { x: 5.5, y: 0.5 }, clicks: 1 })!);
    const map = encodeLabelRuns(doc.labels, doc.width, doc.height);
    expect(map.runs.slice(0, 4)).toEqual([0, 5, 1, 1]);
    expect([...decodeLabelRuns(map)]).toEqual([...doc.labels]);
  });
});
