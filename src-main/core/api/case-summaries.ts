// A case as the review queue shows it: its row, the active model's prediction
// and, for a corrected case, the assessment of the expert's label map with the
// active model's decision rule (or vCDR regression) and its network score;
// for an approved case the signed record, and what the current model says
// beside it when that differs ("model changed since approval"). Every
// current (unsigned) decision is at the app's operating point
// (registry/operating-point.ts); a signed one keeps the point it was signed at.
import { assessCorrected, DECISION_THRESHOLD, measurementsOfLabels, vcdrOfLabels, type Assessment, type AssessmentSource, type DecisionSettings } from '../infer/assessment';
import type { DiscCupFeatures } from '../decision/features';
import { decisionOperatingPoint, type DecisionModel } from '../decision/model';
import type { ApprovalDto, CaseSummary, LabelMapDto } from '../contract/contract';
import type { NewApproval } from '../store/approvals';
import { ApiError, notFound } from '../contract/errors';
import type { ModelRegistry } from '../registry/model-registry';
import { pointDto, type OperatingPoints } from '../registry/operating-point';
import type { CaseListRow } from '../store/cases';
import type { Store } from '../store/store';

/** What the probability of an edited label map is computed with: the active model's decision rule (or regression) and its network score for the case. */
export interface AssessContext {
  readonly activeId: string | null;
  readonly activeName: string | null;
  readonly source: AssessmentSource;
  /** The app's operating point (registry/operating-point.ts), read once per call. */
  readonly settings: DecisionSettings;
  /** Decision models (ROC evidence) of the versions that made the predictions shown, looked up once per call. */
  readonly decisionModels: Map<string, DecisionModel | null>;
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
  readonly #points: OperatingPoints;
  /** Measurements of a corrected label map, by case and revision: a revision never changes, and the queue asks often. */
  readonly #measured = new Map<string, DiscCupFeatures | null>();

  constructor(store: Store, registry: ModelRegistry, points: OperatingPoints) {
    this.#store = store;
    this.#registry = registry;
    this.#points = points;
  }

  /** The active model and what its assessments use; read once per call. */
  context(): AssessContext {
    const active = this.#registry.active();
    const specificity = this.#points.specificity();
    const common = { settings: specificity === undefined ? {} : { specificity }, decisionModels: new Map<string, DecisionModel | null>() };
    if (!active) return { activeId: null, activeName: null, source: NO_MODEL, ...common };
    try {
      const manifest = this.#registry.manifest(active);
      return { activeId: active.id, activeName: active.name, source: { vcdrRegression: manifest.vcdrRegression, decision: manifest.decision ?? null }, ...common };
    } catch {
      return { activeId: active.id, activeName: active.name, source: NO_MODEL, ...common };
    }
  }

  summary(row: CaseListRow, ctx: AssessContext): CaseSummary {
    const corrected = row.annotation
      ? assessCorrected(ctx.source, networkScore(row, ctx), row.annotation.vcdr, ctx.source.decision ? this.#correctedMeasurements(row.id, row.annotation.revision) : null, ctx.settings)
      : null;
    const approval = row.status === 'approved' ? this.#store.approvals.current(row.id) : null;
    const now = currentView(row, corrected, ctx);
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
            modelName: row.prediction.modelName,
            fromActiveModel: row.prediction.modelId === ctx.activeId,
            probability: row.prediction.probability,
            decision: row.prediction.decision,
            vcdr: row.prediction.vcdr,
            uncertainty: row.prediction.uncertainty,
            threshold: row.prediction.threshold,
            withheld: row.prediction.withheld,
            gradable: row.prediction.gradable,
          }
        : null,
      corrected,
      approval,
      sinceApproval: approval && differs(approval, now) ? now : null,
      operatingPoint: this.#operatingPoint(row, corrected, ctx),
      call: this.#store.calls.get(row.id),
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

  /**
   * What approving the case now would sign: the assessment as the queue shows
   * it (the expert's corrected one when there is one, made with the active
   * model's rule; else the model's prediction), with that model and its
   * operating point, and the clinician's call.
   */
  approvalOf(caseId: string): NewApproval {
    const ctx = this.context();
    const row = this.#store.cases.listRow(caseId, ctx.activeId);
    if (!row) throw notFound('case', caseId);
    const s = this.summary(row, ctx);
    const now = currentView(row, s.corrected, ctx);
    const predicted = row.prediction ? this.#store.predictions.get(caseId, row.prediction.modelId) : null;
    let point: { threshold: number | null; rule: string | null; targetSpecificity: number | null };
    if (s.corrected) {
      const model = ctx.source.decision ?? null;
      const op = model ? decisionOperatingPoint(model, ctx.settings.specificity) : null;
      point = op && model ? { threshold: op.threshold, rule: model.id, targetSpecificity: op.targetSpecificity } : { threshold: DECISION_THRESHOLD, rule: 'paper', targetSpecificity: null };
    } else {
      const g = predicted?.summary.glaucoma;
      point = g ? { threshold: g.threshold ?? DECISION_THRESHOLD, rule: g.rule ?? 'paper', targetSpecificity: g.targetSpecificity ?? null } : { threshold: null, rule: null, targetSpecificity: null };
    }
    return {
      revision: row.annotation?.revision ?? null,
      modelId: now.modelId,
      modelName: now.modelName,
      probability: now.probability,
      decision: now.decision,
      vcdr: now.vcdr,
      ...point,
      uncertainty: row.prediction?.uncertainty ?? null,
      modelProbability: row.prediction?.probability ?? null,
      modelVcdr: row.prediction?.vcdr ?? null,
      referral: s.call?.referral ?? null,
      grade: s.call?.grade ?? null,
    };
  }

  /** The live assessment of a label map being edited (not stored). */
  assess(caseId: string, labels: LabelMapDto): Assessment {
    const ctx = this.context();
    const row = this.#store.cases.listRow(caseId, ctx.activeId);
    if (!row) throw notFound('case', caseId);
    checkLabelSize(row, labels);
    return assessCorrected(ctx.source, networkScore(row, ctx), vcdrOfLabels(labels), measurementsOfLabels(labels), ctx.settings);
  }

  /**
   * Where the current (unsigned) decision is made: a corrected case at the
   * active model's operating point for the app's setting, else at the
   * prediction's own (re-decided when the setting changes); the expected
   * figures from the deciding model's ROC evidence.
   */
  #operatingPoint(row: CaseListRow, corrected: Assessment | null, ctx: AssessContext): CaseSummary['operatingPoint'] {
    if (corrected) {
      const model = ctx.source.decision ?? null;
      if (!model) return corrected.probability === null ? null : { targetSpecificity: null, threshold: DECISION_THRESHOLD, sensitivity: null, specificity: null };
      return pointDto(decisionOperatingPoint(model, ctx.settings.specificity));
    }
    const p = row.prediction;
    if (!p || p.probability === null) return null;
    const threshold = p.threshold ?? DECISION_THRESHOLD;
    if (p.targetSpecificity === null) return { targetSpecificity: null, threshold, sensitivity: null, specificity: null };
    if (!ctx.decisionModels.has(p.modelId)) ctx.decisionModels.set(p.modelId, this.#points.decisionModel(p.modelId));
    const model = ctx.decisionModels.get(p.modelId) ?? null;
    const op = model && model.id === p.rule ? decisionOperatingPoint(model, p.targetSpecificity) : null;
    return { targetSpecificity: p.targetSpecificity, threshold, sensitivity: op ? { ...op.sensitivity } : null, specificity: op ? { ...op.specificity } : null };
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

type CurrentView = NonNullable<CaseSummary['sinceApproval']>;

/** What the case shows now without a signed record: the corrected assessment (by the active model's rule) or the prediction, and which model made it. */
function currentView(row: CaseListRow, corrected: Assessment | null, ctx: AssessContext): CurrentView {
  if (corrected) return { modelId: ctx.activeId, modelName: ctx.activeName, probability: corrected.probability, decision: corrected.decision, vcdr: corrected.vcdr };
  const p = row.prediction;
  return p ? { modelId: p.modelId, modelName: p.modelName, probability: p.probability, decision: p.decision, vcdr: p.vcdr } : { modelId: null, modelName: null, probability: null, decision: null, vcdr: null };
}

/** Half a percentage point or half a vCDR hundredth: below what the app shows. */
const SHOWN_DIFFERENCE = 0.005;

function differentNumber(a: number | null, b: number | null): boolean {
  return a === null || b === null ? a !== b : Math.abs(a - b) >= SHOWN_DIFFERENCE;
}

/** Whether what the current model says differs from the signed record (another model, or other values). */
export function differs(approval: ApprovalDto, now: CurrentView): boolean {
  return approval.modelId !== now.modelId || approval.decision !== now.decision || differentNumber(approval.probability, now.probability) || differentNumber(approval.vcdr, now.vcdr);
}
