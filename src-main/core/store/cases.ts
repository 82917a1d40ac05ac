// Cases: one image of a study, its review status and per-file problem, and the
// log of status changes (who, when, why).
import type { ReviewStatus } from '../contract/contract';
import { ApprovalRepo, type NewApproval } from './approvals';
import { percent, ratio, recordAudit } from './audit';
import type { Clock, Db } from './db';

export type Eye = 'left' | 'right' | 'unknown';
export type ProblemStage = 'import' | 'screening';

export interface CaseRow {
  readonly id: string;
  readonly studyId: string;
  readonly file: string;
  readonly name: string;
  readonly width: number | null;
  readonly height: number | null;
  readonly format: string | null;
  readonly eye: Eye;
  readonly patientId: string | null;
  readonly status: ReviewStatus;
  readonly problem: string | null;
  readonly problemStage: ProblemStage | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A case to insert; `problem` is an import problem (unreadable image), or null. */
export type NewCase = Omit<CaseRow, 'status' | 'problemStage' | 'createdAt' | 'updatedAt'>;

export interface ReviewEvent {
  readonly id: number;
  readonly caseId: string;
  readonly from: ReviewStatus;
  readonly to: ReviewStatus;
  readonly author: string;
  readonly reason: string | null;
  readonly at: string;
}

/** A case with what the queue shows: the preferred prediction and the current annotation's vCDR. */
export interface CaseListRow extends CaseRow {
  readonly prediction: {
    readonly modelId: string;
    /** The model version's name (the id when the version row is gone). */
    readonly modelName: string;
    readonly probability: number | null;
    readonly decision: 'glaucoma' | 'normal' | null;
    readonly network: number | null;
    readonly vcdr: number | null;
    readonly uncertainty: number | null;
    readonly threshold: number | null;
    /** The target specificity the threshold was derived for; null for the paper's fixed rule (and older results). */
    readonly targetSpecificity: number | null;
    /** The decision rule's id ('paper' for older results). */
    readonly rule: string;
    /** Why the model made no decision (ungradable photograph, outside its validated field of view); null when it decided. */
    readonly withheld: string | null;
    /** The quality gate's verdict; null for predictions made before the gate. */
    readonly gradable: boolean | null;
  } | null;
  readonly annotation: { readonly revision: number; readonly vcdr: number | null } | null;
}

interface Row {
  id: string;
  study_id: string;
  file: string;
  name: string;
  width: number | null;
  height: number | null;
  format: string | null;
  eye: Eye;
  patient_id: string | null;
  status: ReviewStatus;
  problem: string | null;
  problem_stage: ProblemStage | null;
  created_at: string;
  updated_at: string;
}

interface ListRow extends Row {
  p_model: string | null;
  p_model_name: string | null;
  p_probability: number | null;
  p_decision: 'glaucoma' | 'normal' | null;
  p_network: number | null;
  p_vcdr: number | null;
  p_uncertainty: number | null;
  p_threshold: number | null;
  p_target_specificity: number | null;
  p_rule: string | null;
  p_withheld: string | null;
  p_gradable: number | null;
  a_revision: number | null;
  a_vcdr: number | null;
}

const toCase = (r: Row): CaseRow => ({
  id: r.id,
  studyId: r.study_id,
  file: r.file,
  name: r.name,
  width: r.width,
  height: r.height,
  format: r.format,
  eye: r.eye,
  patientId: r.patient_id,
  status: r.status,
  problem: r.problem,
  problemStage: r.problem_stage,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toListRow = (r: ListRow): CaseListRow => ({
  ...toCase(r),
  prediction:
    r.p_model === null
      ? null
      : { modelId: r.p_model, modelName: r.p_model_name ?? r.p_model, probability: r.p_probability, decision: r.p_decision, network: r.p_network, vcdr: r.p_vcdr, uncertainty: r.p_uncertainty,
          threshold: r.p_threshold,
          targetSpecificity: r.p_target_specificity,
          rule: r.p_rule ?? 'paper',
          withheld: r.p_withheld,
          gradable: r.p_gradable === null ? null : r.p_gradable === 1,
        },
  annotation: r.a_revision === null ? null : { revision: r.a_revision, vcdr: r.a_vcdr },
});

/**
 * The prediction a case shows: the given (active) model's, else the newest from
 * any model, so switching models does not blank a reviewed study.
 */
const LIST_SQL = `
  SELECT c.*,
    p.model_id AS p_model, (SELECT m.name FROM model_versions m WHERE m.id = p.model_id) AS p_model_name, p.probability AS p_probability, p.decision AS p_decision, p.network AS p_network,
    p.vcdr AS p_vcdr, p.uncertainty AS p_uncertainty, json_extract(p.summary, '$.glaucoma.threshold') AS p_threshold,
    json_extract(p.summary, '$.glaucoma.targetSpecificity') AS p_target_specificity, json_extract(p.summary, '$.glaucoma.rule') AS p_rule,
    json_extract(p.summary, '$.glaucoma.withheld') AS p_withheld, json_extract(p.summary, '$.quality.gradable') AS p_gradable,
    a.revision AS a_revision, a.vcdr AS a_vcdr
  FROM cases c
  LEFT JOIN predictions p ON p.id = (
    SELECT id FROM predictions q WHERE q.case_id = c.id ORDER BY (q.model_id = @model) DESC, q.created_at DESC, q.id DESC LIMIT 1)
  LEFT JOIN annotations a ON a.case_id = c.id AND a.revision = (SELECT MAX(revision) FROM annotations b WHERE b.case_id = c.id)`;

export class CaseRepo {
  constructor(
    private readonly db: Db,
    private readonly now: Clock,
  ) {}

  /** Inserts cases; call inside a transaction with the study. */
  insertMany(cases: readonly NewCase[]): void {
    const at = this.now();
    const insert = this.db.prepare(
      `INSERT INTO cases (id, study_id, file, name, width, height, format, eye, patient_id, status, problem, problem_stage, created_at, updated_at)
       VALUES (@id, @studyId, @file, @name, @width, @height, @format, @eye, @patientId, 'unreviewed', @problem, @stage, @at, @at)`,
    );
    for (const c of cases) insert.run({ ...c, stage: c.problem === null ? null : 'import', at });
  }

  get(id: string): CaseRow | null {
    const row = this.db.prepare<[string], Row>('SELECT * FROM cases WHERE id = ?').get(id);
    return row ? toCase(row) : null;
  }

  listByStudy(studyId: string): CaseRow[] {
    return this.db.prepare<[string], Row>('SELECT * FROM cases WHERE study_id = ? ORDER BY name').all(studyId).map(toCase);
  }

  /** Cases with their shown prediction (preferring `modelId`) and current annotation. */
  listRows(studyId: string, modelId: string | null): CaseListRow[] {
    return this.db.prepare<{ study: string; model: string | null }, ListRow>(`${LIST_SQL} WHERE c.study_id = @study ORDER BY c.name`).all({ study: studyId, model: modelId }).map(toListRow);
  }

  listRow(caseId: string, modelId: string | null): CaseListRow | null {
    const row = this.db.prepare<{ id: string; model: string | null }, ListRow>(`${LIST_SQL} WHERE c.id = @id`).get({ id: caseId, model: modelId });
    return row ? toListRow(row) : null;
  }

  /** Refreshes what a re-import learnt about a file (size, format, import problem); keeps status and annotations. */
  updateImport(id: string, info: { width: number | null; height: number | null; format: string | null; problem: string | null }): void {
    this.db
      .prepare(
        `UPDATE cases SET width = @width, height = @height, format = @format,
           problem = CASE WHEN @problem IS NOT NULL THEN @problem WHEN problem_stage = 'import' THEN NULL ELSE problem END,
           problem_stage = CASE WHEN @problem IS NOT NULL THEN 'import' WHEN problem_stage = 'import' THEN NULL ELSE problem_stage END,
           updated_at = @at WHERE id = @id`,
      )
      .run({ ...info, id, at: this.now() });
  }

  setProblem(id: string, problem: string, stage: ProblemStage): void {
    this.db.prepare('UPDATE cases SET problem = ?, problem_stage = ?, updated_at = ? WHERE id = ?').run(problem, stage, this.now(), id);
  }

  /** Clears a screening problem (a later run succeeded) and records the size the model saw. */
  markScreened(id: string, size: { width: number; height: number }): void {
    this.db
      .prepare(
        `UPDATE cases SET problem = CASE WHEN problem_stage = 'screening' THEN NULL ELSE problem END,
           problem_stage = CASE WHEN problem_stage = 'screening' THEN NULL ELSE problem_stage END,
           width = COALESCE(width, @width), height = COALESCE(height, @height), updated_at = @at WHERE id = @id`,
      )
      .run({ id, width: size.width, height: size.height, at: this.now() });
  }

  /**
   * Changes the review status and logs who did it and why, in one transaction:
   * the status log, the audit trail, and for an approval the signed record of
   * what was approved. No event when the status does not change. Returns
   * whether it changed.
   */
  setStatus(id: string, to: ReviewStatus, author: string, reason: string | null, approval?: NewApproval): boolean {
    return this.db.transaction((): boolean => {
      const current = this.db.prepare<[string], { status: ReviewStatus }>('SELECT status FROM cases WHERE id = ?').get(id);
      if (!current) throw new Error(`case ${id} not found`);
      if (current.status === to) return false;
      const at = this.now();
      this.db.prepare('UPDATE cases SET status = ?, updated_at = ? WHERE id = ?').run(to, at, id);
      logStatusChange(this.db, { caseId: id, from: current.status, to, author, reason, at });
      if (to === 'approved') {
        if (approval) new ApprovalRepo(this.db).insert(id, author, at, approval);
        recordAudit(this.db, { caseId: id, kind: 'approved', detail: approval ? describeApproval(approval) : 'approved (no assessment recorded)', author, at });
      }
      return true;
    })();
  }

  /** Corrects the eye or the patient id (read from the file name at import); each change is in the audit trail. Returns whether anything changed. */
  setIdentity(id: string, change: { eye?: Eye; patientId?: string | null }, author: string): boolean {
    return this.db.transaction((): boolean => {
      const row = this.get(id);
      if (!row) throw new Error(`case ${id} not found`);
      const at = this.now();
      let changed = false;
      if (change.eye !== undefined && change.eye !== row.eye) {
        this.db.prepare('UPDATE cases SET eye = ? WHERE id = ?').run(change.eye, id);
        recordAudit(this.db, { caseId: id, kind: 'eye', detail: `eye: ${row.eye} → ${change.eye}`, author, at });
        changed = true;
      }
      const patientId = change.patientId === undefined ? undefined : change.patientId?.trim() || null;
      if (patientId !== undefined && patientId !== row.patientId) {
        this.db.prepare('UPDATE cases SET patient_id = ? WHERE id = ?').run(patientId, id);
        recordAudit(this.db, { caseId: id, kind: 'patient', detail: `patient id: ${row.patientId ?? 'none'} → ${patientId ?? 'none'}`, author, at });
        changed = true;
      }
      if (changed) this.db.prepare('UPDATE cases SET updated_at = ? WHERE id = ?').run(at, id);
      return changed;
    })();
  }

  touch(id: string): void {
    this.db.prepare('UPDATE cases SET updated_at = ? WHERE id = ?').run(this.now(), id);
  }

  /** Status changes of a case, oldest first. */
  reviewEvents(caseId: string): ReviewEvent[] {
    return this.db
      .prepare<[string], { id: number; case_id: string; from_status: ReviewStatus; to_status: ReviewStatus; author: string; reason: string | null; created_at: string }>(
        'SELECT * FROM review_events WHERE case_id = ? ORDER BY id',
      )
      .all(caseId)
      .map((r) => ({ id: r.id, caseId: r.case_id, from: r.from_status, to: r.to_status, author: r.author, reason: r.reason, at: r.created_at }));
  }
}

/**
 * Writes a status change to the status log and the audit trail (leaving
 * approved is also an 'unapproved' entry: the signed record stops applying).
 * Call inside the transaction that changes the status.
 */
export function logStatusChange(db: Db, e: { caseId: string; from: ReviewStatus; to: ReviewStatus; author: string; reason: string | null; at: string }): void {
  db.prepare('INSERT INTO review_events (case_id, from_status, to_status, author, reason, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(e.caseId, e.from, e.to, e.author, e.reason, e.at);
  recordAudit(db, { caseId: e.caseId, kind: 'status', detail: `${e.from} → ${e.to}${e.reason ? `: ${e.reason}` : ''}`, author: e.author, at: e.at });
  if (e.from === 'approved') recordAudit(db, { caseId: e.caseId, kind: 'unapproved', detail: `approval withdrawn (now ${e.to})${e.reason ? `: ${e.reason}` : ''}`, author: e.author, at: e.at });
}

/** The signed assessment in words, for the audit trail. */
export function describeApproval(a: NewApproval): string {
  const decision = a.decision === 'glaucoma' ? 'glaucoma suspect' : a.decision === 'normal' ? 'normal' : 'no decision';
  const model = a.modelId === null ? 'no model' : `model ${a.modelName ?? a.modelId} (${a.modelId})`;
  const point = a.threshold === null ? '' : `, threshold ${a.threshold.toFixed(2)}`;
  return `approved: P ${percent(a.probability)}, vCDR ${ratio(a.vcdr)}, ${decision} by ${model}${point}${a.revision === null ? '' : `, revision ${a.revision}`}`;
}
