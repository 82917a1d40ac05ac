// Schema versions, by `PRAGMA user_version`. Each migration is a list of SQL
// statements that moves the database from version i to i + 1, run in one
// transaction together with the version bump, so a crash mid-upgrade leaves the
// previous version intact. Never edit a released step: append a new one, and
// test/core/store/migrations.test.ts upgrades from every earlier version.
//
// Adding a migration: append { description, sql: [...] } to MIGRATIONS; the
// tests check that every version upgrades to the same schema as a fresh database.
import type { Db } from './db';

export interface Migration {
  /** What the step does, for the log. */
  readonly description: string;
  readonly sql: readonly string[];
}

/** Version 1: studies and their cases, predictions, annotation revisions, review events, model versions and jobs. */
const V1: Migration = {
  description: 'initial schema',
  sql: [
    `CREATE TABLE model_versions (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      -- Absolute for the bundled package (re-resolved at every start), relative to the user data folder otherwise.
      dir TEXT NOT NULL,
      -- The id in the package's model.json.
      package_id TEXT NOT NULL,
      parent_id TEXT REFERENCES model_versions(id),
      created_at TEXT NOT NULL,
      active INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
      bundled INTEGER NOT NULL DEFAULT 0 CHECK (bundled IN (0, 1)),
      trained_tasks TEXT NOT NULL,
      metrics TEXT NOT NULL,
      metrics_note TEXT NOT NULL,
      data_card TEXT NOT NULL,
      -- The fine-tuning job that produced it (null for imported and bundled packages).
      job_id TEXT
    ) STRICT`,
    // At most one active version; the registry keeps it at exactly one once any exists.
    `CREATE UNIQUE INDEX model_versions_one_active ON model_versions(active) WHERE active = 1`,
    `CREATE TABLE studies (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      folder TEXT NOT NULL UNIQUE,
      created_at TEXT NOT NULL
    ) STRICT`,
    `CREATE TABLE cases (
      id TEXT PRIMARY KEY,
      study_id TEXT NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
      -- Absolute path of the image; name is the path relative to the study folder.
      file TEXT NOT NULL,
      name TEXT NOT NULL,
      width INTEGER,
      height INTEGER,
      format TEXT,
      eye TEXT NOT NULL DEFAULT 'unknown' CHECK (eye IN ('left', 'right', 'unknown')),
      patient_id TEXT,
      status TEXT NOT NULL DEFAULT 'unreviewed' CHECK (status IN ('unreviewed', 'corrected', 'approved', 'ungradable')),
      -- The per-file problem; 'import' problems (unreadable file) keep the case out of screening,
      -- 'screening' problems are retried by the next screening run.
      problem TEXT,
      problem_stage TEXT CHECK (problem_stage IN ('import', 'screening')),
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      UNIQUE (study_id, file),
      CHECK ((problem IS NULL) = (problem_stage IS NULL))
    ) STRICT`,
    `CREATE INDEX cases_by_study ON cases(study_id, name)`,
    `CREATE TABLE jobs (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL CHECK (kind IN ('screen', 'finetune')),
      status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled', 'interrupted')),
      study_id TEXT REFERENCES studies(id) ON DELETE SET NULL,
      title TEXT NOT NULL,
      spec TEXT NOT NULL,
      progress TEXT NOT NULL,
      error TEXT,
      result_model_id TEXT REFERENCES model_versions(id),
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      queued_at TEXT NOT NULL,
      -- How many times the job process was given this job: a fine-tune with attempts > 0 resumes from its checkpoint.
      attempts INTEGER NOT NULL DEFAULT 0
    ) STRICT`,
    `CREATE INDEX jobs_by_status ON jobs(status, queued_at)`,
    `CREATE TABLE job_epochs (
      job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
      epoch INTEGER NOT NULL,
      losses TEXT NOT NULL,
      validation TEXT,
      seconds REAL,
      PRIMARY KEY (job_id, epoch)
    ) STRICT`,
    `CREATE TABLE job_problems (
      id INTEGER PRIMARY KEY,
      job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
      item_key TEXT,
      file TEXT NOT NULL,
      problem TEXT NOT NULL,
      created_at TEXT NOT NULL
    ) STRICT`,
    `CREATE INDEX job_problems_by_job ON job_problems(job_id, id)`,
    `CREATE TABLE predictions (
      id INTEGER PRIMARY KEY,
      case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
      model_id TEXT NOT NULL REFERENCES model_versions(id),
      job_id TEXT REFERENCES jobs(id) ON DELETE SET NULL,
      summary TEXT NOT NULL,
      labels TEXT NOT NULL,
      -- Copies of summary fields, for sorting and counting in SQL.
      -- Null when the model has neither a glaucoma head nor a vCDR regression with a disc found.
      probability REAL,
      decision TEXT CHECK (decision IN ('glaucoma', 'normal')),
      network REAL,
      vcdr REAL,
      uncertainty REAL,
      heatmap_od TEXT,
      heatmap_oc TEXT,
      heatmap_fovea TEXT,
      created_at TEXT NOT NULL,
      UNIQUE (case_id, model_id)
    ) STRICT`,
    `CREATE INDEX predictions_by_model ON predictions(model_id, case_id)`,
    `CREATE TABLE annotations (
      case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
      revision INTEGER NOT NULL CHECK (revision >= 1),
      labels TEXT NOT NULL,
      fovea_x REAL,
      fovea_y REAL,
      -- vCDR of these labels by the REFUGE rule (null without a disc).
      vcdr REAL,
      author TEXT NOT NULL,
      note TEXT NOT NULL,
      created_at TEXT NOT NULL,
      PRIMARY KEY (case_id, revision),
      CHECK ((fovea_x IS NULL) = (fovea_y IS NULL))
    ) STRICT`,
    `CREATE TABLE review_events (
      id INTEGER PRIMARY KEY,
      case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
      from_status TEXT NOT NULL,
      to_status TEXT NOT NULL,
      author TEXT NOT NULL,
      reason TEXT,
      created_at TEXT NOT NULL
    ) STRICT`,
    `CREATE INDEX review_events_by_case ON review_events(case_id, id)`,
  ],
};

/**
 * Version 2: what a clinician signs. An approval is an immutable record of the
 * assessment a case was approved with (a later model, re-screen or rollback
 * never changes it); the clinician's own call per case (referral, grade,
 * notes); and an append-only audit trail of every change of a case's status or
 * assessment, seeded with the status changes logged so far.
 */
const V2: Migration = {
  description: 'approval records, the clinician call, the audit trail',
  sql: [
    `CREATE TABLE approvals (
      id INTEGER PRIMARY KEY,
      case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
      reviewer TEXT NOT NULL,
      approved_at TEXT NOT NULL,
      -- The expert's annotation revision approved (null: the model's output was approved without a saved revision).
      annotation_revision INTEGER,
      -- The model whose assessment was signed: the active model's decision rule for a corrected case, else the prediction's model.
      model_id TEXT,
      model_name TEXT,
      probability REAL,
      decision TEXT CHECK (decision IN ('glaucoma', 'normal')),
      vcdr REAL,
      threshold REAL,
      rule TEXT,
      target_specificity REAL,
      uncertainty REAL,
      -- The model's own output at approval (before the expert's corrections).
      model_probability REAL,
      model_vcdr REAL,
      referral TEXT,
      grade TEXT
    ) STRICT`,
    `CREATE INDEX approvals_by_case ON approvals(case_id, id)`,
    // A signed record is never edited: un-approving is an audit event, re-approving a new record.
    `CREATE TRIGGER approvals_are_immutable BEFORE UPDATE ON approvals BEGIN SELECT RAISE(ABORT, 'an approval record is never changed'); END`,
    `CREATE TABLE clinician_calls (
      case_id TEXT PRIMARY KEY REFERENCES cases(id) ON DELETE CASCADE,
      referral TEXT CHECK (referral IN ('refer', 'no-referral', 'ungradable')),
      referral_reason TEXT,
      grade TEXT CHECK (grade IN ('glaucoma', 'normal', 'suspect')),
      notes TEXT NOT NULL DEFAULT '',
      author TEXT NOT NULL,
      updated_at TEXT NOT NULL
    ) STRICT`,
    `CREATE TABLE audit_events (
      id INTEGER PRIMARY KEY,
      case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
      kind TEXT NOT NULL,
      detail TEXT NOT NULL,
      author TEXT NOT NULL,
      created_at TEXT NOT NULL
    ) STRICT`,
    `CREATE INDEX audit_events_by_case ON audit_events(case_id, id)`,
    `CREATE TRIGGER audit_events_are_append_only BEFORE UPDATE ON audit_events BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END`,
    `INSERT INTO audit_events (case_id, kind, detail, author, created_at)
       SELECT case_id, 'status', from_status || ' → ' || to_status || COALESCE(': ' || reason, ''), author, created_at FROM review_events ORDER BY id`,
  ],
};

/**
 * Version 3: the correction loop's bookkeeping.
 * - case_roles: whether a corrected case trains fine-tunes or is held back to
 *   compare them, decided once when a fine-tune first uses it and never changed,
 *   so a held-back case is never trained on as cases are added. Keyed by case and
 *   kept by file (no cascade): a study removed and imported again finds its roles.
 * - model_versions.comparison: the held-back comparison with its intervals;
 *   model_versions.provenance: how a version came to be (bundled, fine-tuned on
 *   how many corrections, imported from where).
 * - job_epochs gains the network: a two-network fine-tune records both curves
 *   (before, the second network's epochs replaced the first's).
 */
const V3: Migration = {
  description: 'case roles, held-back comparison and provenance of model versions, training curves per network',
  sql: [
    `CREATE TABLE case_roles (
      case_id TEXT PRIMARY KEY,
      file TEXT NOT NULL,
      role TEXT NOT NULL CHECK (role IN ('training', 'held-back')),
      -- The fine-tune that first used the case.
      job_id TEXT,
      assigned_at TEXT NOT NULL
    ) STRICT`,
    `CREATE INDEX case_roles_by_file ON case_roles(file)`,
    `ALTER TABLE model_versions ADD COLUMN comparison TEXT`,
    `ALTER TABLE model_versions ADD COLUMN provenance TEXT`,
    `CREATE TABLE job_epochs_by_network (
      job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
      network TEXT NOT NULL DEFAULT '',
      epoch INTEGER NOT NULL,
      losses TEXT NOT NULL,
      validation TEXT,
      seconds REAL,
      PRIMARY KEY (job_id, network, epoch)
    ) STRICT`,
    `INSERT INTO job_epochs_by_network (job_id, network, epoch, losses, validation, seconds) SELECT job_id, '', epoch, losses, validation, seconds FROM job_epochs`,
    `DROP TABLE job_epochs`,
    `ALTER TABLE job_epochs_by_network RENAME TO job_epochs`,
  ],
};

/**
 * V4: cases imported before the EXIF orientation was applied stored the
 * unrotated width and height. Every case with a known, non-square size at this
 * step was imported before it, so it is listed for the start-up check
 * (core/api/orientation-check.ts), which re-reads its size and fixes it, or
 * notes a problem where annotations were drawn on the unrotated picture.
 * Cases imported later are never listed: their sizes are the oriented ones.
 */
const V4: Migration = {
  description: 'cases to check for sizes stored before the EXIF orientation was applied',
  sql: [
    `CREATE TABLE orientation_pending (
      case_id TEXT PRIMARY KEY REFERENCES cases(id) ON DELETE CASCADE
    ) STRICT`,
    `INSERT INTO orientation_pending (case_id) SELECT id FROM cases WHERE width IS NOT NULL AND height IS NOT NULL AND width <> height`,
  ],
};

/**
 * V5: app-wide settings, and app-wide entries in the audit trail.
 * - app_settings: one row per setting (its JSON value, validated when read),
 *   who set it and when; the first is the operating point (target specificity).
 * - audit_events loses NOT NULL on case_id: a change that is no one case's (the
 *   operating point, which re-decides every case) is recorded once with its old
 *   and new values, case_id NULL. SQLite cannot drop NOT NULL in place, so the
 *   table is copied (ids kept), and its index and append-only trigger made
 *   again; app-wide entries cannot be deleted either (no case cascades to them).
 */
const V5: Migration = {
  description: 'app settings (the operating point) and app-wide audit entries',
  sql: [
    `CREATE TABLE app_settings (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL,
      updated_by TEXT NOT NULL,
      updated_at TEXT NOT NULL
    ) STRICT`,
    `CREATE TABLE audit_events_v5 (
      id INTEGER PRIMARY KEY,
      -- Null for an app-wide change (a setting); a case's entries go with the case.
      case_id TEXT REFERENCES cases(id) ON DELETE CASCADE,
      kind TEXT NOT NULL,
      detail TEXT NOT NULL,
      author TEXT NOT NULL,
      created_at TEXT NOT NULL
    ) STRICT`,
    `INSERT INTO audit_events_v5 (id, case_id, kind, detail, author, created_at) SELECT id, case_id, kind, detail, author, created_at FROM audit_events ORDER BY id`,
    `DROP TABLE audit_events`,
    `ALTER TABLE audit_events_v5 RENAME TO audit_events`,
    `CREATE INDEX audit_events_by_case ON audit_events(case_id, id)`,
    `CREATE TRIGGER audit_events_are_append_only BEFORE UPDATE ON audit_events BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END`,
    `CREATE TRIGGER app_audit_events_are_kept BEFORE DELETE ON audit_events WHEN OLD.case_id IS NULL BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END`,
  ],
};

export const MIGRATIONS: readonly Migration[] = [V1, V2, V3, V4, V5];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings the database to `target` (default: the latest), one transaction per
 * step. A database written by a newer app is refused rather than guessed at.
 * Returns the versions it went through.
 */
export function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS, target = migrations.length): number[] {
  const current = schemaVersion(db);
  if (current > migrations.length) {
    throw new Error(`the database is at schema version ${current}, newer than this app understands (${migrations.length}); update Glaucoma Studio`);
  }
  if (target < current || target > migrations.length) throw new RangeError(`cannot migrate from version ${current} to ${target}`);
  const applied: number[] = [];
  for (let version = current; version < target; version++) {
    const step = migrations[version]!;
    db.transaction(() => {
      for (const sql of step.sql) db.exec(sql);
      // Checks the foreign keys of the data a step rewrote; a violation rolls the step back.
      const violations = db.pragma('foreign_key_check') as unknown[];
      if (violations.length > 0) throw new Error(`migration ${version + 1} (${step.description}) leaves ${violations.length} broken references`);
      db.pragma(`user_version = ${version + 1}`);
    })();
    applied.push(version + 1);
  }
  return applied;
}
