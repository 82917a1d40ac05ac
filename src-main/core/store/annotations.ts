// Annotations: the expert's version of disc, cup and fovea, kept apart from the
// model's prediction. Every save is a new revision (nothing is overwritten);
// the current annotation is the highest revision. A save names the revision it
// started from, so a stale editor cannot silently overwrite a newer save.
import type { LabelMapDto, ReviewStatus } from '../contract/contract';
import { StaleRevisionError } from '../contract/errors';
import type { Point } from '../types';
import { ratio, recordAudit } from './audit';
import { logStatusChange } from './cases';
import type { Clock, Db } from './db';
import { LabelMapSchema, readJson } from './json';

export interface AnnotationRow {
  readonly caseId: string;
  readonly revision: number;
  readonly labels: LabelMapDto;
  readonly fovea: Point | null;
  readonly vcdr: number | null;
  readonly author: string;
  readonly note: string;
  readonly at: string;
}

/** A revision without its label map, for the history list. */
export interface RevisionInfo {
  readonly revision: number;
  readonly author: string;
  readonly note: string;
  readonly at: string;
}

export interface NewAnnotation {
  readonly labels: LabelMapDto;
  readonly fovea: Point | null;
  readonly vcdr: number | null;
  readonly author: string;
  readonly note: string;
}

interface Row {
  case_id: string;
  revision: number;
  labels: string;
  fovea_x: number | null;
  fovea_y: number | null;
  vcdr: number | null;
  author: string;
  note: string;
  created_at: string;
}

const toAnnotation = (r: Row): AnnotationRow => ({
  caseId: r.case_id,
  revision: r.revision,
  labels: readJson(LabelMapSchema, r.labels, `annotations ${r.case_id}#${r.revision} labels`),
  fovea: r.fovea_x === null || r.fovea_y === null ? null : { x: r.fovea_x, y: r.fovea_y },
  vcdr: r.vcdr,
  author: r.author,
  note: r.note,
  at: r.created_at,
});

export class AnnotationRepo {
  constructor(
    private readonly db: Db,
    private readonly now: Clock,
  ) {}

  currentRevision(caseId: string): number {
    return this.db.prepare<[string], { r: number }>('SELECT COALESCE(MAX(revision), 0) AS r FROM annotations WHERE case_id = ?').get(caseId)!.r;
  }

  current(caseId: string): AnnotationRow | null {
    const row = this.db.prepare<[string], Row>('SELECT * FROM annotations WHERE case_id = ? ORDER BY revision DESC LIMIT 1').get(caseId);
    return row ? toAnnotation(row) : null;
  }

  revision(caseId: string, revision: number): AnnotationRow | null {
    const row = this.db.prepare<[string, number], Row>('SELECT * FROM annotations WHERE case_id = ? AND revision = ?').get(caseId, revision);
    return row ? toAnnotation(row) : null;
  }

  /** Every revision, oldest first. */
  history(caseId: string): RevisionInfo[] {
    return this.db
      .prepare<[string], { revision: number; author: string; note: string; created_at: string }>(
        'SELECT revision, author, note, created_at FROM annotations WHERE case_id = ? ORDER BY revision',
      )
      .all(caseId)
      .map((r) => ({ revision: r.revision, author: r.author, note: r.note, at: r.created_at }));
  }

  /**
   * Adds revision baseRevision + 1, and moves the case to `status` (logging the
   * change), all in one transaction. Throws StaleRevisionError when baseRevision
   * is not the current revision.
   */
  save(caseId: string, baseRevision: number, annotation: NewAnnotation, status: ReviewStatus, statusReason: string): number {
    return this.db.transaction((): number => {
      const current = this.currentRevision(caseId);
      if (baseRevision !== current) throw new StaleRevisionError(caseId, baseRevision, current);
      const at = this.now();
      const revision = current + 1;
      this.db
        .prepare(
          `INSERT INTO annotations (case_id, revision, labels, fovea_x, fovea_y, vcdr, author, note, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(caseId, revision, JSON.stringify(annotation.labels), annotation.fovea?.x ?? null, annotation.fovea?.y ?? null, annotation.vcdr, annotation.author, annotation.note, at);
      const previous = this.db.prepare<[string], { status: ReviewStatus }>('SELECT status FROM cases WHERE id = ?').get(caseId)!.status;
      this.db.prepare('UPDATE cases SET status = ?, updated_at = ? WHERE id = ?').run(status, at, caseId);
      recordAudit(this.db, { caseId, kind: 'annotation', detail: `revision ${revision}${annotation.note ? `: ${annotation.note}` : ''}; vCDR ${ratio(annotation.vcdr)}`, author: annotation.author, at });
      if (previous !== status) logStatusChange(this.db, { caseId, from: previous, to: status, author: annotation.author, reason: statusReason, at });
      return revision;
    })();
  }

  /**
   * The corrections a fine-tune learns from: approved cases with an annotation
   * (current revision), from every study, in case id order.
   */
  approvedCorrections(): Array<AnnotationRow & { readonly file: string; readonly name: string; readonly studyId: string }> {
    return this.db
      .prepare<[], Row & { file: string; name: string; study_id: string }>(
        `SELECT a.*, c.file, c.name, c.study_id FROM annotations a JOIN cases c ON c.id = a.case_id
         WHERE c.status = 'approved' AND a.revision = (SELECT MAX(revision) FROM annotations b WHERE b.case_id = a.case_id)
         ORDER BY a.case_id`,
      )
      .all()
      .map((r) => ({ ...toAnnotation(r), file: r.file, name: r.name, studyId: r.study_id }));
  }
}
