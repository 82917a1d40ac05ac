// Model versions: each a model package folder, with its parent, metrics and
// data card copied from the manifest for the list view, and the active flag
// (at most one row, enforced by a partial unique index; activation swaps the
// flag in one transaction).
import type { z } from 'zod';
import type { HeldBackComparison, ModelProvenance, ModelVersion } from '../contract/contract';
import type { Task } from '../types';
import { recordAudit } from './audit';
import type { Clock, Db } from './db';
import { DataCardColumnSchema, HeldBackComparisonSchema, MetricsSchema, ModelProvenanceSchema, readJson, readJsonOrNull, TrainedTasksSchema } from './json';

export interface ModelVersionRow {
  readonly id: string;
  readonly name: string;
  /** As stored: absolute for the bundled package, relative to the user data folder otherwise. */
  readonly dir: string;
  readonly packageId: string;
  readonly parentId: string | null;
  readonly createdAt: string;
  readonly active: boolean;
  readonly bundled: boolean;
  readonly trainedTasks: Task[];
  readonly metrics: Record<string, number | null>;
  readonly metricsNote: string;
  readonly dataCard: z.infer<typeof DataCardColumnSchema>;
  readonly jobId: string | null;
  readonly provenance: ModelProvenance;
  readonly comparison: HeldBackComparison | null;
}

export type NewModelVersion = Omit<ModelVersionRow, 'active' | 'createdAt' | 'provenance' | 'comparison'> & {
  readonly createdAt?: string;
  /** Default: bundled for the bundled package, fine-tuned for a job's result. */
  readonly provenance?: ModelProvenance;
  readonly comparison?: HeldBackComparison | null;
};

interface Row {
  id: string;
  name: string;
  dir: string;
  package_id: string;
  parent_id: string | null;
  created_at: string;
  active: number;
  bundled: number;
  trained_tasks: string;
  metrics: string;
  metrics_note: string;
  data_card: string;
  job_id: string | null;
  provenance: string | null;
  comparison: string | null;
}

/** What a row written before provenance was recorded says about itself. */
function impliedProvenance(r: Pick<Row, 'bundled' | 'job_id' | 'dir' | 'created_at'>): ModelProvenance {
  if (r.bundled === 1) return { kind: 'bundled' };
  if (r.job_id !== null) return { kind: 'fine-tuned', corrections: null, heldBack: null };
  return { kind: 'imported', from: r.dir, at: r.created_at };
}

function toModel(r: Row): ModelVersionRow {
  const where = `model_versions ${r.id}`;
  return {
    id: r.id,
    name: r.name,
    dir: r.dir,
    packageId: r.package_id,
    parentId: r.parent_id,
    createdAt: r.created_at,
    active: r.active === 1,
    bundled: r.bundled === 1,
    trainedTasks: readJson(TrainedTasksSchema, r.trained_tasks, `${where} trained_tasks`),
    metrics: readJson(MetricsSchema, r.metrics, `${where} metrics`),
    metricsNote: r.metrics_note,
    dataCard: readJson(DataCardColumnSchema, r.data_card, `${where} data_card`),
    jobId: r.job_id,
    provenance: readJsonOrNull(ModelProvenanceSchema, r.provenance, `${where} provenance`) ?? impliedProvenance(r),
    comparison: readJsonOrNull(HeldBackComparisonSchema, r.comparison, `${where} comparison`),
  };
}

/** The API's view of a version row. */
export function modelVersionDto(m: ModelVersionRow, decision: string | null): ModelVersion {
  return {
    id: m.id,
    name: m.name,
    parentId: m.parentId,
    createdAt: m.createdAt,
    active: m.active,
    bundled: m.bundled,
    trainedTasks: m.trainedTasks,
    metrics: m.metrics,
    metricsNote: m.metricsNote,
    dataCard: m.dataCard,
    provenance: m.provenance,
    comparison: m.comparison,
    decision,
  };
}

export class ModelRepo {
  constructor(
    private readonly db: Db,
    private readonly now: Clock,
  ) {}

  insert(m: NewModelVersion): ModelVersionRow {
    const createdAt = m.createdAt ?? this.now();
    this.db
      .prepare(
        `INSERT INTO model_versions (id, name, dir, package_id, parent_id, created_at, active, bundled, trained_tasks, metrics, metrics_note, data_card, job_id, provenance, comparison)
         VALUES (@id, @name, @dir, @packageId, @parentId, @createdAt, 0, @bundled, @trainedTasks, @metrics, @metricsNote, @dataCard, @jobId, @provenance, @comparison)`,
      )
      .run(this.#params(m, createdAt));
    return this.get(m.id)!;
  }

  /** Refreshes what is copied from the manifest (the bundled package can change with an app update). */
  update(m: NewModelVersion): void {
    this.db
      .prepare(
        `UPDATE model_versions SET name = @name, dir = @dir, package_id = @packageId, trained_tasks = @trainedTasks, metrics = @metrics,
           metrics_note = @metricsNote, data_card = @dataCard WHERE id = @id`,
      )
      .run(this.#params(m, m.createdAt ?? this.now()));
  }

  #params(m: NewModelVersion, createdAt: string): Record<string, string | number | null> {
    return {
      id: m.id,
      name: m.name,
      dir: m.dir,
      packageId: m.packageId,
      parentId: m.parentId,
      createdAt,
      bundled: m.bundled ? 1 : 0,
      trainedTasks: JSON.stringify(m.trainedTasks),
      metrics: JSON.stringify(m.metrics),
      metricsNote: m.metricsNote,
      dataCard: JSON.stringify(m.dataCard),
      jobId: m.jobId,
      provenance: m.provenance ? JSON.stringify(m.provenance) : null,
      comparison: m.comparison ? JSON.stringify(m.comparison) : null,
    };
  }

  get(id: string): ModelVersionRow | null {
    const row = this.db.prepare<[string], Row>('SELECT * FROM model_versions WHERE id = ?').get(id);
    return row ? toModel(row) : null;
  }

  /** Oldest first, so a version's parent comes before it. */
  list(): ModelVersionRow[] {
    return this.db.prepare<[], Row>('SELECT * FROM model_versions ORDER BY created_at, rowid').all().map(toModel);
  }

  active(): ModelVersionRow | null {
    const row = this.db.prepare<[], Row>('SELECT * FROM model_versions WHERE active = 1').get();
    return row ? toModel(row) : null;
  }

  /**
   * Makes `id` the one active version (clear, then set, in one transaction).
   * Changing the active model changes what every screened case shows, so each
   * such case's audit trail says so, with the new model's prediction or its
   * absence, and that a signed approval is kept.
   */
  activate(id: string, author = 'system'): void {
    this.db.transaction(() => {
      const next = this.db.prepare<[string], { name: string }>('SELECT name FROM model_versions WHERE id = ?').get(id);
      if (!next) throw new Error(`model version ${id} not found`);
      const previous = this.db.prepare<[], { id: string; name: string }>('SELECT id, name FROM model_versions WHERE active = 1').get();
      this.db.prepare('UPDATE model_versions SET active = 0 WHERE active = 1 AND id <> ?').run(id);
      this.db.prepare('UPDATE model_versions SET active = 1 WHERE id = ?').run(id);
      if (!previous || previous.id === id) return;
      const at = this.now();
      const rows = this.db
        .prepare<{ id: string }, { case_id: string; probability: number | null; predicted: number; approved: number }>(
          `SELECT c.id AS case_id, p.probability, p.id IS NOT NULL AS predicted,
             (c.status = 'approved' AND EXISTS (SELECT 1 FROM approvals a WHERE a.case_id = c.id)) AS approved
           FROM cases c LEFT JOIN predictions p ON p.case_id = c.id AND p.model_id = @id
           WHERE EXISTS (SELECT 1 FROM predictions q WHERE q.case_id = c.id) ORDER BY c.id`,
        )
        .all({ id });
      for (const r of rows) {
        const now = r.predicted ? `its prediction: P ${r.probability === null ? '–' : `${Math.round(r.probability * 100)} %`}` : 'no prediction from it yet (re-screen to get one)';
        const detail = `active model changed: ${previous.name} (${previous.id}) → ${next.name} (${id}); ${now}${r.approved ? '; the signed approval is kept' : ''}`;
        recordAudit(this.db, { caseId: r.case_id, kind: 'model', detail, author, at });
      }
    })();
  }
}
