// The clinician's own call on a case: referral decision (with the reason when
// ungradable), glaucoma grade and free-text notes. One row per case, changed
// field by field; every change is written to the audit trail in the same
// transaction.
import type { ClinicianCallDto, Grade, Referral } from '../contract/contract';
import { GradeSchema, ReferralSchema } from '../contract/contract';
import { recordAudit } from './audit';
import type { Clock, Db } from './db';

export interface CallChange {
  readonly referral?: Referral | null;
  readonly referralReason?: string | null;
  readonly grade?: Grade | null;
  readonly notes?: string;
}

interface Row {
  case_id: string;
  referral: string | null;
  referral_reason: string | null;
  grade: string | null;
  notes: string;
  author: string;
  updated_at: string;
}

const REFERRAL_WORDS: Record<Referral, string> = { refer: 'refer', 'no-referral': 'no referral', ungradable: 'ungradable' };

const toCall = (r: Row): ClinicianCallDto => ({
  referral: r.referral === null ? null : ReferralSchema.parse(r.referral),
  referralReason: r.referral_reason,
  grade: r.grade === null ? null : GradeSchema.parse(r.grade),
  notes: r.notes,
  author: r.author,
  at: r.updated_at,
});

export class ClinicianCallRepo {
  constructor(
    private readonly db: Db,
    private readonly now: Clock,
  ) {}

  get(caseId: string): ClinicianCallDto | null {
    const row = this.db.prepare<[string], Row>('SELECT * FROM clinician_calls WHERE case_id = ?').get(caseId);
    return row ? toCall(row) : null;
  }

  /**
   * Applies the given fields and logs each one that changed. A reason only
   * belongs to an ungradable referral: another referral clears it. Returns
   * whether anything changed.
   */
  set(caseId: string, change: CallChange, author: string): boolean {
    return this.db.transaction((): boolean => {
      const before = this.get(caseId);
      const referral = change.referral !== undefined ? change.referral : (before?.referral ?? null);
      const reasonGiven = change.referralReason !== undefined ? (change.referralReason?.trim() || null) : (before?.referralReason ?? null);
      const next = {
        referral,
        referralReason: referral === 'ungradable' ? reasonGiven : null,
        grade: change.grade !== undefined ? change.grade : (before?.grade ?? null),
        notes: change.notes !== undefined ? change.notes : (before?.notes ?? ''),
      };
      const was = { referral: before?.referral ?? null, referralReason: before?.referralReason ?? null, grade: before?.grade ?? null, notes: before?.notes ?? '' };
      const at = this.now();
      const log = (kind: 'referral' | 'grade' | 'notes', detail: string): void => recordAudit(this.db, { caseId, kind, detail, author, at });
      let changed = false;
      if (next.referral !== was.referral || next.referralReason !== was.referralReason) {
        const words = (r: Referral | null, reason: string | null): string => (r === null ? 'none' : `${REFERRAL_WORDS[r]}${reason ? ` (${reason})` : ''}`);
        log('referral', `referral: ${words(was.referral, was.referralReason)} → ${words(next.referral, next.referralReason)}`);
        changed = true;
      }
      if (next.grade !== was.grade) {
        log('grade', `glaucoma grade: ${was.grade ?? 'none'} → ${next.grade ?? 'none'}`);
        changed = true;
      }
      if (next.notes !== was.notes) {
        log('notes', next.notes === '' ? 'notes cleared' : `notes: ${next.notes.length > 200 ? `${next.notes.slice(0, 200)}…` : next.notes}`);
        changed = true;
      }
      if (!changed) return false;
      this.db
        .prepare(
          `INSERT INTO clinician_calls (case_id, referral, referral_reason, grade, notes, author, updated_at) VALUES (@caseId, @referral, @referralReason, @grade, @notes, @author, @at)
           ON CONFLICT (case_id) DO UPDATE SET referral = excluded.referral, referral_reason = excluded.referral_reason, grade = excluded.grade,
             notes = excluded.notes, author = excluded.author, updated_at = excluded.updated_at`,
        )
        .run({ caseId, ...next, author, at });
      return true;
    })();
  }
}
