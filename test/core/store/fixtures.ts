// Small builders shared by the store tests: an in-memory store with a ticking
// clock, a label map, a prediction summary and model version rows.
import { encodeLabelRuns } from '../../../src-main/core/contract/label-map';
import type { LabelMapDto, PredictionSummaryDto } from '../../../src-main/core/contract/contract';
import { openStore, type Store } from '../../../src-main/core/store';
import type { NewModelVersion } from '../../../src-main/core/store/models';
import { openDatabase } from '../../../src-main/platform/sqlite';

/** A clock that advances one second per call, so ordering by time is deterministic. */
export function tickingClock(start = Date.UTC(2026, 0, 1)): () => string {
  let t = start;
  return () => new Date((t += 1000)).toISOString();
}

export function memoryStore(): Store {
  return openStore(openDatabase(':memory:'), { now: tickingClock() });
}

/** A w x h label map with a disc (label 1) over rows [discTop, discBottom) and a cup (2) over [cupTop, cupBottom) in column 1. */
export function columnLabels(w: number, h: number, disc: [number, number], cup: [number, number] | null): LabelMapDto {
  const labels = new Uint8Array(w * h);
  for (let y = disc[0]; y < disc[1]; y++) labels[y * w + 1] = 1;
  if (cup) for (let y = cup[0]; y < cup[1]; y++) labels[y * w + 1] = 2;
  return encodeLabelRuns(labels, w, h);
}

export function summary(probability: number | null, vcdr: number | null, overrides: Partial<PredictionSummaryDto> = {}): PredictionSummaryDto {
  const structure = { found: true, areaPx: 10, verticalDiameterPx: 4, box: { x0: 0, y0: 0, x1: 2, y1: 4 } };
  return {
    width: 4,
    height: 8,
    glaucoma: { network: probability, vcdrRegression: null, probability, decision: probability === null ? null : probability >= 0.5 ? 'glaucoma' : 'normal' },
    vcdr,
    disc: structure,
    cup: structure,
    fovea: null,
    uncertainty: null,
    tasks: ['glaucoma', 'od', 'oc'],
    warnings: [],
    ...overrides,
  };
}

export function modelVersion(id: string, parentId: string | null = null): NewModelVersion {
  return {
    id,
    name: `model ${id}`,
    dir: `models/${id}`,
    packageId: id,
    parentId,
    bundled: false,
    trainedTasks: ['od', 'oc'],
    metrics: { odDice: 0.9, auc: null },
    metricsNote: 'test',
    dataCard: { source: 'test', licence: 'test', intendedUse: 'tests', images: 1 },
    jobId: null,
  };
}

/** A study with `n` readable cases named img0..img{n-1}. */
export function studyWithCases(store: Store, n: number, studyId = 's_1'): string[] {
  const ids = Array.from({ length: n }, (_, i) => `${studyId}_c${i}`);
  store.transaction(() => {
    store.studies.insert({ id: studyId, name: 'study', folder: `/data/${studyId}` });
    store.cases.insertMany(
      ids.map((id, i) => ({ id, studyId, file: `/data/${studyId}/img${i}.png`, name: `img${i}.png`, width: 4, height: 8, format: 'PNG', eye: 'unknown' as const, patientId: null, problem: null })),
    );
  });
  return ids;
}
