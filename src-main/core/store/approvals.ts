// Approval records: the assessment a clinician signed, stored once when a case
// is approved and never changed (a trigger refuses updates). The signed record
// of a case is its newest approval while the case is approved; un-approving
// leaves the record in place (the audit trail says when it stopped applying)
// and approving again adds a new one.
import type { ApprovalDto } from '../contract/contract';
import { GradeSchema, ReferralSchema } from '../contract/contract';
import type { Db } from './db';

/** What is signed, without who and when (the case's status change gives those). */
export type NewApproval = Omit<ApprovalDto, 'reviewer' | 'at'>;

interface Row {
  id: number;
  case_id: string;
  reviewer: string;
  approved_at: string;
  annotation_revision: number | null;
  model_id: string | null;
  model_name: string | null;
  probability: number | null;
  decision: 'glaucoma' | 'normal' | null;
  vcdr: number | null;
  threshold: number | null;
  rule: string | null;
  target_specificity: number | null;
  uncertainty: number | null;
  model_probability: number | null;
  model_vcdr: number | null;
  referral: string | null;
  grade: string | null;
}

const toApproval = (r: Row): ApprovalDto => ({
  reviewer: r.reviewer,
  at: r.approved_at,
  revision: r.annotation_revision,
  modelId: r.model_id,
  modelName: r.model_name,
  probability: r.probability,
  decision: r.decision,
  vcdr: r.vcdr,
  threshold: r.threshold,
  rule: r.rule,
  targetSpecificity: r.target_specificity,
  uncertainty: r.uncertainty,
  modelProbability: r.model_probability,
  modelVcdr: r.model_vcdr,
  referral: r.referral === null ? null : ReferralSchema.parse(r.referral),
  grade: r.grade === null ? null : GradeSchema.parse(r.grade),
});

export class ApprovalRepo {
  constructor(private readonly db: Db) {}

  /** Stores a signed record; call in the transaction that approves the case. */
  insert(caseId: string, reviewer: string, at: string, a: NewApproval): void {
    this.db
      .prepare(
        `INSERT INTO approvals (case_id, reviewer, approved_at, annotation_revision, model_id, model_name, probability, decision, vcdr, threshold, rule,
           target_specificity, uncertainty, model_probability, model_vcdr, referral, grade)
         VALUES (@caseId, @reviewer, @at, @revision, @modelId, @modelName, @probability, @decision, @vcdr, @threshold, @rule,
           @targetSpecificity, @uncertainty, @modelProbability, @modelVcdr, @referral, @grade)`,
      )
      .run({ ...a, caseId, reviewer, at });
  }

  /** The signed record of an approved case (its newest approval); null when the case is not approved. */
  current(caseId: string): ApprovalDto | null {
    const row = this.db
      .prepare<[string], Row>(`SELECT a.* FROM approvals a JOIN cases c ON c.id = a.case_id WHERE a.case_id = ? AND c.status = 'approved' ORDER BY a.id DESC LIMIT 1`)
      .get(caseId);
    return row ? toApproval(row) : null;
  }

  /** Every approval of a case, oldest first (including those no longer in force). */
  history(caseId: string): ApprovalDto[] {
    return this.db.prepare<[string], Row>('SELECT * FROM approvals WHERE case_id = ? ORDER BY id').all(caseId).map(toApproval);
  }
}
