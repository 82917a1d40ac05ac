// A case as the review queue shows it: its row, the active model's prediction
// and, for a corrected case, the assessment of the expert's label map with the
// active model's decision rule (or vCDR regression) and its network score.
import { assessCorrected, measurementsOfLabels, vcdrOfLabels, type Assessment, type AssessmentSource } from '../infer/assessment';
import type { DiscCupFeatures } from '../decision/features';
import type { CaseSummary, LabelMapDto } from '../contract/contract';
import { ApiError, notFound } from '../contract/errors';
import type { ModelRegistry } from '../registry/model-registry';
import type { CaseListRow } from '../store/cases';
import type { Store } from '../store/store';

/** What the probability of an edited label map is computed with: the active model's decision rule (or regression) and its network score for the case. */
export interface AssessContext {
  readonly activeId: string | null;
  readonly source: AssessmentSource;
}

const NO_MODEL: AssessmentSource = { vcdrRegression: null, decision: null };

/** A label map must have the image's size: masks are stored at original resolution. */
export function checkLabelSize(caseRow: { width: number | null; height: number | null; name: string; problem: string | null }, labels: LabelMapDto): void {
  if (caseRow.width === null || caseRow.height === null) {
    throw new ApiError('invalid-input', `${caseRow.name} could not be read${caseRow.problem ? ` (${caseRow.problem})` : ''}, so it cannot be annotated`);
  }
  if (labels.width !== caseRow.width || labels.height !== caseRow.height) {
    throw new ApiError('invalid-input', `the label map is ${labels.width}x${labels.height} but ${caseRow.name} is ${caseRow.width}x${caseRow.height}`);
  }
}

export class CaseSummaries {
  readonly #store: Store;
  readonly #registry: ModelRegistry;
  /** Measurements of a corrected label map, by case and revision: a revision never changes, and the queue asks often. */
  readonly #measured = new Map<string, DiscCupFeatures | null>();

  constructor(store: Store, registry: ModelRegistry) {
    this.#store = store;
    this.#registry = registry;
  }

  /** The active model and what its assessments use; read once per call. */
  context(): AssessContext {
    const active = this.#registry.active();
    if (!active) return { activeId: null, source: NO_MODEL };
    try {
      const manifest = this.#registry.manifest(active);
      return { activeId: active.id, source: { vcdrRegression: manifest.vcdrRegression, decision: manifest.decision ?? null } };
    } catch {
      return { activeId: active.id, source: NO_MODEL };
    }
  }

  summary(row: CaseListRow, ctx: AssessContext): CaseSummary {
    return {
      id: row.id,
      studyId: row.studyId,
      name: row.name,
      file: row.file,
      width: row.width,
      height: row.height,
      eye: row.eye,
      patientId: row.patientId,
      status: row.status,
      problem: row.problem,
      prediction: row.prediction
        ? {
            modelId: row.prediction.modelId,
            probability: row.prediction.probability,
            decision: row.prediction.decision,
            vcdr: row.prediction.vcdr,
            uncertainty: row.prediction.uncertainty,
            withheld: row.prediction.withheld,
            gradable: row.prediction.gradable,
          }
        : null,
      corrected: row.annotation
        ? assessCorrected(ctx.source, networkScore(row, ctx), row.annotation.vcdr, ctx.source.decision ? this.#correctedMeasurements(row.id, row.annotation.revision) : null)
        : null,
      updatedAt: row.updatedAt,
    };
  }

  /** One case's summary now. */
  of(caseId: string): CaseSummary {
    const ctx = this.context();
    const row = this.#store.cases.listRow(caseId, ctx.activeId);
    if (!row) throw notFound('case', caseId);
    return this.summary(row, ctx);
  }

  /** The live assessment of a label map being edited (not stored). */
  assess(caseId: string, labels: LabelMapDto): Assessment {
    const ctx = this.context();
    const row = this.#store.cases.listRow(caseId, ctx.activeId);
    if (!row) throw notFound('case', caseId);
    checkLabelSize(row, labels);
    return assessCorrected(ctx.source, networkScore(row, ctx), vcdrOfLabels(labels), measurementsOfLabels(labels));
  }

  #correctedMeasurements(caseId: string, revision: number): DiscCupFeatures | null {
    const key = `${caseId}:${revision}`;
    if (!this.#measured.has(key)) {
      const row = this.#store.annotations.revision(caseId, revision);
      this.#measured.set(key, row ? measurementsOfLabels(row.labels) : null);
    }
    return this.#measured.get(key)!;
  }
}

/** The network's glaucoma score for a case, when the active model screened it. */
function networkScore(row: CaseListRow, ctx: AssessContext): number | null {
  return row.prediction && row.prediction.modelId === ctx.activeId ? row.prediction.network : null;
}
