// The audit trail: every change of a case's status or assessment (approval,
// un-approval, status, the clinician's call, annotation revisions, a model's
// prediction, the active model changing under it), who made it and when.
// Append-only (a trigger refuses updates); written inside the transaction of
// the change it records, so a change is never without its entry.
import type { AuditEventDto, AuditKind } from '../contract/contract';
import { AuditKindSchema } from '../contract/contract';
import type { Clock, Db } from './db';

/** Appends one entry; call inside the transaction of the change. */
/** One entry of the trail; caseId null for an app-wide entry (a setting), which no one case owns. */
export function recordAudit(db: Db, entry: { caseId: string | null; kind: AuditKind; detail: string; author: string; at: string }): void {
  db.prepare('INSERT INTO audit_events (case_id, kind, detail, author, created_at) VALUES (?, ?, ?, ?, ?)').run(entry.caseId, entry.kind, entry.detail, entry.author, entry.at);
}

/** "68 %" or "–": how the trail writes a probability. */
export function percent(p: number | null | undefined): string {
  return p === null || p === undefined ? '–' : `${Math.round(p * 100)} %`;
}

/** "0.71" or "–". */
export function ratio(v: number | null | undefined): string {
  return v === null || v === undefined ? '–' : v.toFixed(2);
}

export class AuditRepo {
  constructor(
    private readonly db: Db,
    private readonly now: Clock,
  ) {}

  record(caseId: string, kind: AuditKind, detail: string, author: string): void {
    recordAudit(this.db, { caseId, kind, detail, author, at: this.now() });
  }

  /** A case's trail, oldest first. */
  list(caseId: string): AuditEventDto[] {
    return this.db
      .prepare<[string], { id: number; kind: string; detail: string; author: string; created_at: string }>('SELECT * FROM audit_events WHERE case_id = ? ORDER BY id')
      .all(caseId)
      .map((r) => {
        const kind = AuditKindSchema.safeParse(r.kind);
        if (!kind.success) throw new Error(`audit_events ${r.id}: unknown kind "${r.kind}"`);
        return { id: r.id, kind: kind.data, detail: r.detail, author: r.author, at: r.created_at };
      });
  }
}
