// Studies: a folder of images the user imported.
import type { Clock, Db } from './db';

export interface StudyRow {
  readonly id: string;
  readonly name: string;
  readonly folder: string;
  readonly createdAt: string;
}

/** Counts per study for the library view. */
export interface StudyCounts {
  readonly images: number;
  /** Cases with a prediction from the given model. */
  readonly screened: number;
  /** Cases predicted only by other model versions (re-screening gives them the given model's). */
  readonly screenedByOther: number;
  readonly failed: number;
  readonly suspects: number;
  readonly byStatus: { unreviewed: number; corrected: number; approved: number; ungradable: number };
}

interface Row {
  id: string;
  name: string;
  folder: string;
  created_at: string;
}

const toStudy = (r: Row): StudyRow => ({ id: r.id, name: r.name, folder: r.folder, createdAt: r.created_at });

export class StudyRepo {
  constructor(
    private readonly db: Db,
    private readonly now: Clock,
  ) {}

  insert(study: { id: string; name: string; folder: string }): StudyRow {
    const createdAt = this.now();
    this.db.prepare('INSERT INTO studies (id, name, folder, created_at) VALUES (?, ?, ?, ?)').run(study.id, study.name, study.folder, createdAt);
    return { ...study, createdAt };
  }

  get(id: string): StudyRow | null {
    const row = this.db.prepare<[string], Row>('SELECT * FROM studies WHERE id = ?').get(id);
    return row ? toStudy(row) : null;
  }

  byFolder(folder: string): StudyRow | null {
    const row = this.db.prepare<[string], Row>('SELECT * FROM studies WHERE folder = ?').get(folder);
    return row ? toStudy(row) : null;
  }

  /** Newest first. */
  list(): StudyRow[] {
    return this.db.prepare<[], Row>('SELECT * FROM studies ORDER BY created_at DESC, rowid DESC').all().map(toStudy);
  }

  /** Removes the study with its cases, predictions, annotations and review events (one statement, cascaded). */
  remove(id: string): boolean {
    return this.db.prepare('DELETE FROM studies WHERE id = ?').run(id).changes > 0;
  }

  counts(id: string, modelId: string | null): StudyCounts {
    const totals = this.db
      .prepare<{ id: string; model: string | null }, { images: number; failed: number; screened: number; screenedByOther: number; suspects: number }>(
        `SELECT
           COUNT(*) AS images,
           COALESCE(SUM(c.problem IS NOT NULL), 0) AS failed,
           COALESCE(SUM(p.id IS NOT NULL), 0) AS screened,
           COALESCE(SUM(p.id IS NULL AND EXISTS (SELECT 1 FROM predictions o WHERE o.case_id = c.id)), 0) AS screenedByOther,
           COALESCE(SUM(p.decision = 'glaucoma'), 0) AS suspects
         FROM cases c LEFT JOIN predictions p ON p.case_id = c.id AND p.model_id = @model
         WHERE c.study_id = @id`,
      )
      .get({ id, model: modelId })!;
    const byStatus = { unreviewed: 0, corrected: 0, approved: 0, ungradable: 0 };
    for (const r of this.db.prepare<[string], { status: keyof typeof byStatus; n: number }>('SELECT status, COUNT(*) AS n FROM cases WHERE study_id = ? GROUP BY status').all(id)) {
      byStatus[r.status] = r.n;
    }
    return { ...totals, byStatus };
  }
}
