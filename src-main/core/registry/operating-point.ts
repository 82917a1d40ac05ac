// The app's operating point: one target specificity for every study and every
// screening, turned into each model version's threshold from the out-of-fold
// ROC counts its package stores (core/decision), never by refitting.
//
// App-wide, not per study: a screening programme sets one operating point for
// everyone it screens, so the same eye gets the same call whichever folder it
// was imported with, and a study's counts compare with another's.
//
// The probability does not depend on the threshold, so a change re-decides
// every stored prediction from its probability (no re-screening) in one
// transaction with the setting, each change in its case's trail and the
// setting's old and new values in the app-wide trail. A prediction arriving
// from a screening is decided at the setting in force when it is stored (a
// change during a screening cannot leave it at the old one). Signed approvals
// are separate, immutable records: nothing here touches them.
import { ApiError } from '../contract/errors';
import { TARGET_SPECIFICITY_RANGE, type OperatingPointDto, type OperatingPointSetting, type PredictionSummaryDto } from '../contract/contract';
import { decisionOperatingPoint, DEFAULT_TARGET_SPECIFICITY, domainEvidence, type DecisionModel } from '../decision/model';
import { errorMessage } from '../errors';
import { decideAtOperatingPoint } from '../infer/assessment';
import { percent } from '../store/audit';
import type { Store } from '../store/store';
import type { ModelRegistry } from './model-registry';

/** The choices offered besides the package default and the current setting. */
export const OPERATING_POINT_PRESETS: readonly number[] = [0.8, 0.85, 0.9, 0.95];

/** What a change did: predictions re-decided (a new threshold) and, among them, decisions that changed. */
export interface OperatingPointChange {
  readonly redecided: number;
  readonly changedDecisions: number;
}

const pct = (v: number): string => `${Math.round(v * 100)} %`;
const decisionWords = (d: 'glaucoma' | 'normal' | null): string => (d === 'glaucoma' ? 'glaucoma suspect' : d === 'normal' ? 'normal' : 'no decision');
const interval = (i: { value: number; low: number; high: number }): string => `${i.value.toFixed(2)} (${i.low.toFixed(2)}-${i.high.toFixed(2)})`;

/** "glaucoma at P ≥ 0.853 (90 % specificity): expected sensitivity 0.45 (0.34-0.56), specificity 0.91 (0.80-0.96)". */
export function describePoint(p: OperatingPointDto): string {
  return `glaucoma at P ≥ ${p.threshold.toFixed(3)} (${pct(p.targetSpecificity)} specificity): expected sensitivity ${interval(p.sensitivity)}, specificity ${interval(p.specificity)}`;
}

export class OperatingPoints {
  readonly #store: Store;
  readonly #registry: ModelRegistry;

  constructor(store: Store, registry: ModelRegistry) {
    this.#store = store;
    this.#registry = registry;
  }

  /** The setting's target specificity; undefined for each model's own stored default. */
  specificity(): number | undefined {
    return this.#store.settings.operatingPoint()?.value.targetSpecificity ?? undefined;
  }

  /** A version's decision model (its ROC evidence), or null: none, or its package cannot be read. */
  decisionModel(modelId: string): DecisionModel | null {
    const row = this.#registry.get(modelId);
    if (!row) return null;
    try {
      return this.#registry.manifest(row).decision ?? null;
    } catch {
      return null;
    }
  }

  /** A new prediction's scores decided at the app's operating point (unchanged for the paper's rule). */
  decide(modelId: string, summary: PredictionSummaryDto): PredictionSummaryDto {
    const glaucoma = decideAtOperatingPoint(summary.glaucoma, this.decisionModel(modelId), this.specificity());
    return glaucoma === summary.glaucoma ? summary : { ...summary, glaucoma: { ...glaucoma } };
  }

  /** The setting with the active model's choices and figures (`preview` among them, before it is applied). */
  state(preview?: number): OperatingPointSetting {
    const stored = this.#store.settings.operatingPoint();
    const target = stored?.value.targetSpecificity ?? null;
    const history = this.#store.settings.appAudit('operating-point').map(({ detail, author, at }) => ({ detail, author, at }));
    const base = { targetSpecificity: target, updatedBy: stored?.updatedBy ?? null, updatedAt: stored?.updatedAt ?? null, history, fieldOfView: null };
    const active = this.#registry.active();
    if (!active) return { ...base, model: null, packageDefault: null, inUse: null, choices: [], unavailable: 'no model is installed' };
    const model = { id: active.id, name: active.name };
    let decision: DecisionModel | null;
    try {
      decision = this.#registry.manifest(active).decision ?? null;
    } catch (error) {
      return { ...base, model, packageDefault: null, inUse: null, choices: [], unavailable: `the package of ${active.name} cannot be read: ${errorMessage(error)}` };
    }
    if (!decision) return { ...base, model, packageDefault: null, inUse: null, choices: [], unavailable: noEvidence(active.name) };
    const packageDefault = decision.operatingPoint.targetSpecificity;
    const isDefault = (v: number): boolean => Math.abs(v - packageDefault) < 1e-9;
    // The package's own default exactly as stored (it need not have two decimals), the others once each.
    const values: number[] = [packageDefault];
    for (const v of [...OPERATING_POINT_PRESETS, ...(target === null ? [] : [target]), ...(preview === undefined ? [] : [preview])]) if (!values.some((w) => Math.abs(w - v) < 1e-9)) values.push(v);
    values.sort((a, b) => a - b);
    const choices = values.map((v) => ({ ...pointDto(decisionOperatingPoint(decision, isDefault(v) ? undefined : v)), packageDefault: isDefault(v) }));
    // Said in words once here for the panel and the study report.
    const fieldOfView = decision.domain ? { ...decision.domain.discSize, evidence: domainEvidence(decision.domain) } : null;
    return { ...base, model, packageDefault, inUse: pointDto(decisionOperatingPoint(decision, target ?? undefined)), choices, unavailable: null, fieldOfView };
  }

  /**
   * Sets the target specificity (null: each model's default) and re-decides
   * every prediction of every version with ROC evidence from its stored
   * probability. Refused, with the reason, outside TARGET_SPECIFICITY_RANGE or
   * while the active model has no ROC evidence. Setting the value in force
   * changes nothing and records nothing.
   */
  change(target: number | null, author: string): OperatingPointChange {
    if (target !== null && !(Number.isFinite(target) && target >= TARGET_SPECIFICITY_RANGE.min && target <= TARGET_SPECIFICITY_RANGE.max)) {
      throw new ApiError('invalid-input', `the target specificity must be between ${TARGET_SPECIFICITY_RANGE.min} and ${TARGET_SPECIFICITY_RANGE.max} (got ${target})`);
    }
    const before = this.state();
    if (before.unavailable !== null) throw new ApiError('conflict', `the operating point cannot be changed: ${before.unavailable}`);
    if (before.targetSpecificity === target) return { redecided: 0, changedDecisions: 0 };
    const specificity = target ?? undefined;
    return this.#store.transaction(() => {
      let redecided = 0;
      let changedDecisions = 0;
      for (const version of this.#registry.list()) {
        const model = this.decisionModel(version.id);
        if (!model) continue;
        for (const p of this.#store.predictions.ofModel(version.id)) {
          const old = p.summary.glaucoma;
          const next = decideAtOperatingPoint(old, model, specificity);
          if (next === old || (next.threshold === old.threshold && next.decision === old.decision && next.targetSpecificity === old.targetSpecificity)) continue;
          redecided++;
          if (next.decision !== old.decision) changedDecisions++;
          const detail =
            `operating point ${old.targetSpecificity != null ? pct(old.targetSpecificity) : '–'} → ${pct(next.targetSpecificity!)} specificity for ${version.name} (${version.id}): ` +
            `glaucoma at P ≥ ${(old.threshold ?? 0.5).toFixed(3)} → ${next.threshold!.toFixed(3)}; P ${percent(old.probability)}: ${decisionWords(old.decision)}` +
            (next.decision === old.decision ? ' (unchanged)' : ` → ${decisionWords(next.decision)}`) +
            (p.status === 'approved' ? '; the signed approval is kept' : '');
          this.#store.predictions.redecide(p.id, p.caseId, { ...p.summary, glaucoma: { ...next } }, detail, author);
        }
      }
      const words = (v: number | null): string => (v === null ? `each model's default (${pct(before.packageDefault ?? DEFAULT_TARGET_SPECIFICITY)} for ${before.model!.name})` : pct(v));
      const after = pointDto(decisionOperatingPoint(this.decisionModel(before.model!.id)!, specificity));
      this.#store.settings.setOperatingPoint(
        { version: 1, targetSpecificity: target },
        author,
        `target specificity ${words(before.targetSpecificity)} → ${words(target)}; ${before.model!.name} (${before.model!.id}): ${before.inUse ? describePoint(before.inUse) : '–'} → ${describePoint(after)}; ` +
          `${redecided} prediction(s) decided again, ${changedDecisions} decision(s) changed; signed approvals unchanged`,
      );
      return { redecided, changedDecisions };
    });
  }
}

/** Why a model's operating point cannot be chosen. */
export function noEvidence(modelName: string): string {
  return `${modelName} decides by the paper's fixed rule (glaucoma at P ≥ 0.50); its package stores no cross-validated ROC evidence to derive another operating point from`;
}

/** An operating point as the contract carries it (its intervals copied out of the decision model). */
export function pointDto(p: ReturnType<typeof decisionOperatingPoint>): OperatingPointDto {
  return { targetSpecificity: p.targetSpecificity, threshold: p.threshold, rule: p.rule ?? 'lowest-passing', sensitivity: { ...p.sensitivity }, specificity: { ...p.specificity } };
}
