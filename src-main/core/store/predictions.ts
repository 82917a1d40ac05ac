// Predictions: the model's output for a case, one row per (case, model
// version). Never changed by the expert's edits (those are annotations); a
// rescreen with the same version replaces that version's row. The app's
// operating point re-decides a row (threshold and decision from the same
// probability; redecide), logged in the case's trail.
import type { LabelMapDto, PredictionSummaryDto } from '../contract/contract';
import { percent, ratio, recordAudit } from './audit';
import type { Clock, Db } from './db';
import { LabelMapSchema, PredictionSummarySchema, readJson } from './json';

export interface HeatmapFiles {
  readonly od: string | null;
  readonly oc: string | null;
  readonly fovea: string | null;
}

export interface PredictionRow {
  readonly id: number;
  readonly caseId: string;
  readonly modelId: string;
  readonly jobId: string | null;
  readonly summary: PredictionSummaryDto;
  readonly labels: LabelMapDto;
  readonly heatmaps: HeatmapFiles;
  readonly createdAt: string;
}

export type NewPrediction = Omit<PredictionRow, 'id' | 'createdAt'>;

interface Row {
  id: number;
  case_id: string;
  model_id: string;
  job_id: string | null;
  summary: string;
  labels: string;
  heatmap_od: string | null;
  heatmap_oc: string | null;
  heatmap_fovea: string | null;
  created_at: string;
}

function toPrediction(r: Row): PredictionRow {
  const where = `predictions ${r.id}`;
  return {
    id: r.id,
    caseId: r.case_id,
    modelId: r.model_id,
    jobId: r.job_id,
    summary: readJson(PredictionSummarySchema, r.summary, `${where} summary`),
    labels: readJson(LabelMapSchema, r.labels, `${where} labels`),
    heatmaps: { od: r.heatmap_od, oc: r.heatmap_oc, fovea: r.heatmap_fovea },
    createdAt: r.created_at,
  };
}

export class PredictionRepo {
  constructor(
    private readonly db: Db,
    private readonly now: Clock,
  ) {}

  /**
   * Stores (or replaces) the prediction of one model version for one case, and
   * logs it in the case's audit trail (a re-screen changes what the model says
   * about a case; a signed approval is never touched by it).
   */
  upsert(p: NewPrediction): void {
    this.db.transaction(() => this.#upsert(p))();
  }

  #upsert(p: NewPrediction): void {
    const s = p.summary;
    const at = this.now();
    const model = this.db.prepare<[string], { name: string }>('SELECT name FROM model_versions WHERE id = ?').get(p.modelId)?.name ?? p.modelId;
    const decision = s.glaucoma.decision === null ? (s.glaucoma.withheld ? `no decision (${s.glaucoma.withheld})` : 'no decision') : s.glaucoma.decision === 'glaucoma' ? 'glaucoma suspect' : 'normal';
    recordAudit(this.db, { caseId: p.caseId, kind: 'prediction', detail: `model ${model} (${p.modelId}) predicted P ${percent(s.glaucoma.probability)}, vCDR ${ratio(s.vcdr)}, ${decision}`, author: p.jobId ? `screening ${p.jobId}` : 'screening', at });
    this.db
      .prepare(
        `INSERT INTO predictions (case_id, model_id, job_id, summary, labels, probability, decision, network, vcdr, uncertainty,
           heatmap_od, heatmap_oc, heatmap_fovea, created_at)
         VALUES (@caseId, @modelId, @jobId, @summary, @labels, @probability, @decision, @network, @vcdr, @uncertainty, @od, @oc, @fovea, @at)
         ON CONFLICT (case_id, model_id) DO UPDATE SET job_id = excluded.job_id, summary = excluded.summary, labels = excluded.labels,
           probability = excluded.probability, decision = excluded.decision, network = excluded.network, vcdr = excluded.vcdr,
           uncertainty = excluded.uncertainty, heatmap_od = excluded.heatmap_od, heatmap_oc = excluded.heatmap_oc,
           heatmap_fovea = excluded.heatmap_fovea, created_at = excluded.created_at`,
      )
      .run({
        caseId: p.caseId,
        modelId: p.modelId,
        jobId: p.jobId,
        summary: JSON.stringify(s),
        labels: JSON.stringify(p.labels),
        probability: s.glaucoma.probability,
        decision: s.glaucoma.decision,
        network: s.glaucoma.network,
        vcdr: s.vcdr,
        uncertainty: s.uncertainty,
        od: p.heatmaps.od,
        oc: p.heatmaps.oc,
        fovea: p.heatmaps.fovea,
        at,
      });
  }

  /** Every prediction of a model version, with its case's status (to re-decide them at another operating point). */
  ofModel(modelId: string): Array<{ id: number; caseId: string; status: string; summary: PredictionSummaryDto }> {
    return this.db
      .prepare<[string], { id: number; case_id: string; status: string; summary: string }>(
        'SELECT p.id, p.case_id, c.status, p.summary FROM predictions p JOIN cases c ON c.id = p.case_id WHERE p.model_id = ? ORDER BY p.id',
      )
      .all(modelId)
      .map((r) => ({ id: r.id, caseId: r.case_id, status: r.status, summary: readJson(PredictionSummarySchema, r.summary, `predictions ${r.id} summary`) }));
  }

  /**
   * The same prediction decided at another operating point: its glaucoma scores
   * (threshold, target specificity, decision; the probability is unchanged) are
   * replaced in `summary` (as read by ofModel) and the change goes in the case's
   * trail. A signed approval is a separate, immutable record and never changes
   * with it. Call in a transaction.
   */
  redecide(id: number, caseId: string, summary: PredictionSummaryDto, detail: string, author: string): void {
    const changed = this.db.prepare('UPDATE predictions SET summary = ?, decision = ? WHERE id = ?').run(JSON.stringify(summary), summary.glaucoma.decision, id).changes;
    if (changed === 0) throw new Error(`prediction ${id} not found`);
    recordAudit(this.db, { caseId, kind: 'operating-point', detail, author, at: this.now() });
  }

  get(caseId: string, modelId: string): PredictionRow | null {
    const row = this.db.prepare<[string, string], Row>('SELECT * FROM predictions WHERE case_id = ? AND model_id = ?').get(caseId, modelId);
    return row ? toPrediction(row) : null;
  }

  /** The prediction a case shows: `preferModelId`'s, else the newest. */
  shown(caseId: string, preferModelId: string | null): PredictionRow | null {
    const row = this.db
      .prepare<{ id: string; model: string | null }, Row>('SELECT * FROM predictions WHERE case_id = @id ORDER BY (model_id = @model) DESC, created_at DESC, id DESC LIMIT 1')
      .get({ id: caseId, model: preferModelId });
    return row ? toPrediction(row) : null;
  }

  /** Ids of the cases of a study that have a prediction from `modelId`. */
  casesWithPrediction(studyId: string, modelId: string): Set<string> {
    const rows = this.db
      .prepare<[string, string], { case_id: string }>('SELECT p.case_id FROM predictions p JOIN cases c ON c.id = p.case_id WHERE c.study_id = ? AND p.model_id = ?')
      .all(studyId, modelId);
    return new Set(rows.map((r) => r.case_id));
  }

  /** Heat-map files of every prediction of a study's cases (to delete with the study). */
  heatmapFilesOfStudy(studyId: string): string[] {
    return this.db
      .prepare<[string], { od: string | null; oc: string | null; fovea: string | null }>(
        'SELECT p.heatmap_od AS od, p.heatmap_oc AS oc, p.heatmap_fovea AS fovea FROM predictions p JOIN cases c ON c.id = p.case_id WHERE c.study_id = ?',
      )
      .all(studyId)
      .flatMap((r) => [r.od, r.oc, r.fovea].filter((f): f is string => f !== null));
  }

  /** Ids of the cases that a given job predicted. */
  casesPredictedByJob(jobId: string): Set<string> {
    return new Set(this.db.prepare<[string], { case_id: string }>('SELECT case_id FROM predictions WHERE job_id = ?').all(jobId).map((r) => r.case_id));
  }
}
