// One pixel-centre convention: a fovea the expert places on pixel (10, 20) in
// the UI is saved, exported and trained on at pixel (10, 20), and the model's
// fovea at pixel (10, 20) is drawn on that pixel's centre.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportCorrections, FOVEA_CSV } from '../../../src-main/core/api/export-corrections';
import { pointFromDisplay, pointToDisplay } from '../../../src-main/core/contract/contract';
import type { ImageCodec } from '../../../src-main/core/data/image-codec';
import { letterbox, toModel } from '../../../src-main/core/geometry/letterbox';
import { foveaSigma } from '../../../src-main/core/model/tasks';
import { gaussianHeatmap } from '../../../src-main/core/train/example';
import { AnnotationDocument } from '../../../src-renderer/src/editor/document';
import { createDefaultToolRegistry } from '../../../src-renderer/src/editor/tools/registry';
import { toolContext } from '../../renderer/editor/helpers';
import { columnLabels, memoryStore, studyWithCases } from '../store/fixtures';

const SIZE = 32;

/** The fovea the fovea tool leaves in the document after a click at a display point. */
function placeFovea(x: number, y: number): { x: number; y: number } {
  const doc = new AnnotationDocument(SIZE, SIZE);
  const tool = createDefaultToolRegistry().createAll().get('fovea')!;
  const ctx = toolContext(doc, 'disc');
  tool.pointerDown(ctx, { point: { x, y }, clicks: 1 });
  doc.commit(tool.pointerUp(ctx, { point: { x, y }, clicks: 1 })!);
  return doc.fovea!;
}

describe('pixel centres', () => {
  it('a fovea clicked on the centre of pixel (10, 20) crosses the contract as (10, 20), and comes back to the same display point', () => {
    const placed = placeFovea(10.5, 20.5);
    const saved = pointFromDisplay(placed);
    expect(saved).toEqual({ x: 10, y: 20 });
    expect(pointToDisplay(saved)).toEqual(placed);
  });

  it('is exported at the same pixel', async () => {
    const store = memoryStore();
    const [caseId] = studyWithCases(store, 1);
    const fovea = pointFromDisplay(placeFovea(10.5, 20.5));
    store.annotations.save(caseId!, 0, { labels: columnLabels(SIZE, SIZE, [2, 10], [4, 6]), fovea, vcdr: 0.25, author: 'dr.test', note: 'moved fovea' }, 'corrected', '');
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-pixel-centres-'));
    await exportCorrections({ store, codec: {} as ImageCodec }, 's_1', out, ['refuge']);
    expect(fs.readFileSync(path.join(out, FOVEA_CSV), 'utf8').trim().split('\n')[1]).toBe('img0.png,10,20');
  });

  it('is trained on at the same pixel: the fine-tune target peaks there', () => {
    const fovea = pointFromDisplay(placeFovea(10.5, 20.5));
    const target = gaussianHeatmap(SIZE, toModel(letterbox({ width: SIZE, height: SIZE }, SIZE), fovea), foveaSigma(SIZE));
    let best = 0;
    for (let i = 1; i < target.length; i++) if (target[i]! > target[best]!) best = i;
    expect({ x: best % SIZE, y: Math.floor(best / SIZE) }).toEqual({ x: 10, y: 20 });
  });
});
