// Jobs: the persisted queue of screening and fine-tuning runs, with their
// progress, training curves (one row per epoch) and per-file problems. The
// queue survives a restart: rows left 'queued' or 'running' by a killed
// process are marked 'interrupted' at start-up and can be resumed.
import type { Job, JobStatus } from '../contract/contract';
import type { Clock, Db } from './db';
import { JobProgressSchema, JobRecordSchema, LossesSchema, readJson, readJsonOrNull, ValidationSchema, type JobRecord } from './json';

export type JobKind = Job['kind'];
export type JobProgressValue = Job['progress'];

export interface JobRow {
  readonly id: string;
  readonly kind: JobKind;
  readonly status: JobStatus;
  readonly studyId: string | null;
  readonly title: string;
  readonly spec: JobRecord;
  readonly progress: JobProgressValue;
  readonly error: string | null;
  readonly resultModelId: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly queuedAt: string;
  readonly attempts: number;
}

interface Row {
  id: string;
  kind: JobKind;
  status: JobStatus;
  study_id: string | null;
  title: string;
  spec: string;
  progress: string;
  error: string | null;
  result_model_id: string | null;
  created_at: string;
  updated_at: string;
  queued_at: string;
  attempts: number;
}

function toJob(r: Row): JobRow {
  const where = `jobs ${r.id}`;
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    studyId: r.study_id,
    title: r.title,
    spec: readJson(JobRecordSchema, r.spec, `${where} spec`),
    progress: readJson(JobProgressSchema, r.progress, `${where} progress`),
    error: r.error,
    resultModelId: r.result_model_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    queuedAt: r.queued_at,
    attempts: r.attempts,
  };
}

export class JobRepo {
  constructor(
    private readonly db: Db,
    private readonly now: Clock,
  ) {}

  insert(job: { id: string; studyId: string | null; title: string; spec: JobRecord; total: number }): JobRow {
    const at = this.now();
    const progress: JobProgressValue = { done: 0, total: job.total, etaS: null, message: 'waiting' };
    this.db
      .prepare(
        `INSERT INTO jobs (id, kind, status, study_id, title, spec, progress, created_at, updated_at, queued_at)
         VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(job.id, job.spec.kind, job.studyId, job.title, JSON.stringify(job.spec), JSON.stringify(progress), at, at, at);
    return this.get(job.id)!;
  }

  get(id: string): JobRow | null {
    const row = this.db.prepare<[string], Row>('SELECT * FROM jobs WHERE id = ?').get(id);
    return row ? toJob(row) : null;
  }

  /** Newest first. */
  list(limit = 200): JobRow[] {
    return this.db.prepare<[number], Row>('SELECT * FROM jobs ORDER BY created_at DESC, rowid DESC LIMIT ?').all(limit).map(toJob);
  }

  /** The next job to run: the longest-queued one. */
  nextQueued(): JobRow | null {
    const row = this.db.prepare<[], Row>("SELECT * FROM jobs WHERE status = 'queued' ORDER BY queued_at, rowid LIMIT 1").get();
    return row ? toJob(row) : null;
  }

  /** Unfinished jobs of a kind (queued or running), optionally of one study. */
  pending(kind: JobKind, studyId?: string): JobRow[] {
    const rows = this.db
      .prepare<{ kind: string; study: string | null }, Row>(
        "SELECT * FROM jobs WHERE kind = @kind AND status IN ('queued', 'running') AND (@study IS NULL OR study_id = @study) ORDER BY queued_at",
      )
      .all({ kind, study: studyId ?? null });
    return rows.map(toJob);
  }

  setStatus(id: string, status: JobStatus, fields: { error?: string | null; resultModelId?: string | null; message?: string } = {}): void {
    const at = this.now();
    this.db.transaction(() => {
      this.db
        .prepare(
          `UPDATE jobs SET status = @status, updated_at = @at,
             error = CASE WHEN @setError THEN @error ELSE error END,
             result_model_id = COALESCE(@resultModelId, result_model_id),
             queued_at = CASE WHEN @status = 'queued' THEN @at ELSE queued_at END
           WHERE id = @id`,
        )
        .run({ id, status, at, setError: fields.error !== undefined ? 1 : 0, error: fields.error ?? null, resultModelId: fields.resultModelId ?? null });
      if (fields.message !== undefined) {
        const row = this.db.prepare<[string], { progress: string }>('SELECT progress FROM jobs WHERE id = ?').get(id);
        if (row) {
          const progress = { ...readJson(JobProgressSchema, row.progress, `jobs ${id} progress`), message: fields.message };
          this.db.prepare('UPDATE jobs SET progress = ? WHERE id = ?').run(JSON.stringify(progress), id);
        }
      }
    })();
  }

  /** The job process was given the job: running, one more attempt. */
  markStarted(id: string): void {
    this.db.prepare("UPDATE jobs SET status = 'running', attempts = attempts + 1, error = NULL, updated_at = ? WHERE id = ?").run(this.now(), id);
  }

  setProgress(id: string, progress: JobProgressValue): void {
    this.db.prepare('UPDATE jobs SET progress = ?, updated_at = ? WHERE id = ?').run(JSON.stringify(progress), this.now(), id);
  }

  /**
   * Start-up recovery: jobs a killed process left 'queued' or 'running' become
   * 'interrupted' (resumable). Returns their ids.
   */
  interruptUnfinished(message: string): string[] {
    return this.db.transaction((): string[] => {
      const ids = this.db.prepare<[], { id: string }>("SELECT id FROM jobs WHERE status IN ('queued', 'running')").all().map((r) => r.id);
      const at = this.now();
      const update = this.db.prepare("UPDATE jobs SET status = 'interrupted', error = ?, updated_at = ? WHERE id = ?");
      for (const id of ids) update.run(message, at, id);
      return ids;
    })();
  }

  /**
   * Records an epoch of one network (a resumed run may send an epoch again: the
   * newer record wins; each network of a two-network model keeps its own curve).
   */
  addEpoch(id: string, epoch: { network?: string; epoch: number; losses: Record<string, number>; validation?: Record<string, number | null>; seconds?: number }): void {
    this.db
      .prepare('INSERT OR REPLACE INTO job_epochs (job_id, network, epoch, losses, validation, seconds) VALUES (?, ?, ?, ?, ?, ?)')
      .run(id, epoch.network ?? '', epoch.epoch, JSON.stringify(epoch.losses), epoch.validation === undefined ? null : JSON.stringify(epoch.validation), epoch.seconds ?? null);
    this.db.prepare('UPDATE jobs SET updated_at = ? WHERE id = ?').run(this.now(), id);
  }

  epochs(id: string): Job['epochs'] {
    return this.db
      .prepare<[string], { network: string; epoch: number; losses: string; validation: string | null }>(
        'SELECT network, epoch, losses, validation FROM job_epochs WHERE job_id = ? ORDER BY network, epoch',
      )
      .all(id)
      .map((r) => {
        const where = `job_epochs ${id}${r.network ? ` ${r.network}` : ''}#${r.epoch}`;
        const validation = readJsonOrNull(ValidationSchema, r.validation, `${where} validation`);
        return { ...(r.network ? { network: r.network } : {}), epoch: r.epoch, losses: readJson(LossesSchema, r.losses, `${where} losses`), ...(validation ? { validation } : {}) };
      });
  }

  addProblem(id: string, problem: { key: string | null; file: string; problem: string }): void {
    this.db.prepare('INSERT INTO job_problems (job_id, item_key, file, problem, created_at) VALUES (?, ?, ?, ?, ?)').run(id, problem.key, problem.file, problem.problem, this.now());
  }

  problems(id: string): Array<{ key: string | null; file: string; problem: string }> {
    return this.db
      .prepare<[string], { item_key: string | null; file: string; problem: string }>('SELECT item_key, file, problem FROM job_problems WHERE job_id = ? ORDER BY id')
      .all(id)
      .map((r) => ({ key: r.item_key, file: r.file, problem: r.problem }));
  }

  /** The API's view of a job. */
  dto(job: JobRow): Job {
    return {
      id: job.id,
      kind: job.kind,
      status: job.status,
      studyId: job.studyId,
      title: job.title,
      createdAt: job.createdAt,
      updatedAt: job.updatedAt,
      progress: job.progress,
      epochs: this.epochs(job.id),
      error: job.error,
      resultModelId: job.resultModelId,
      problems: this.problems(job.id).map((p) => ({ file: p.file, problem: p.problem })),
    };
  }
}
