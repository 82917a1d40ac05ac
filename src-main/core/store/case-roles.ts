// Which corrected cases train fine-tunes and which are held back to compare
// them. A role is written once, when a fine-tune first uses the case, and never
// changed (INSERT OR IGNORE): a held-back case stays held back however many
// cases are added later, so no fine-tune ever trains on a case that judges a
// model. Roles are looked up by case, then by file (a study removed and
// imported again gets new case ids for the same photographs).
import type { Clock, Db } from './db';

export type CaseRole = 'training' | 'held-back';

export interface CaseRef {
  readonly caseId: string;
  readonly file: string;
}

interface Row {
  case_id: string;
  file: string;
  role: CaseRole;
}

export class CaseRoleRepo {
  constructor(
    private readonly db: Db,
    private readonly now: Clock,
  ) {}

  /** The stored role of each case that has one (by case id, else by file). */
  rolesOf(cases: readonly CaseRef[]): Map<string, CaseRole> {
    const byCase = this.db.prepare<[string], Row>('SELECT case_id, file, role FROM case_roles WHERE case_id = ?');
    // A file may have had several case ids; the held-back role wins, as it must never be trained on.
    const byFile = this.db.prepare<[string], Row>("SELECT case_id, file, role FROM case_roles WHERE file = ? ORDER BY role = 'held-back' DESC LIMIT 1");
    const roles = new Map<string, CaseRole>();
    for (const c of cases) {
      const row = byCase.get(c.caseId) ?? byFile.get(c.file);
      if (row) roles.set(c.caseId, row.role);
    }
    return roles;
  }

  /** Stores roles of cases that have none yet; an existing role is never changed. */
  assign(entries: readonly (CaseRef & { readonly role: CaseRole })[], jobId: string | null): void {
    const insert = this.db.prepare('INSERT OR IGNORE INTO case_roles (case_id, file, role, job_id, assigned_at) VALUES (?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      const at = this.now();
      for (const e of entries) insert.run(e.caseId, e.file, e.role, jobId, at);
    })();
  }

  /** How many cases have each role (over every case ever used, removed studies included). */
  counts(): { readonly training: number; readonly heldBack: number } {
    const rows = this.db.prepare<[], { role: CaseRole; n: number }>('SELECT role, COUNT(*) AS n FROM case_roles GROUP BY role').all();
    const n = (role: CaseRole): number => rows.find((r) => r.role === role)?.n ?? 0;
    return { training: n('training'), heldBack: n('held-back') };
  }
}
