// The store: one SQLite database in the user data folder, reached through small
// repositories that share the connection. Built once by the composition root
// (src-main/app/services.ts) and passed in; nothing here is a module singleton.
import { AnnotationRepo } from './annotations';
import { ApprovalRepo } from './approvals';
import { AuditRepo } from './audit';
import { ClinicianCallRepo } from './clinician-calls';
import { CaseRoleRepo } from './case-roles';
import { CaseRepo } from './cases';
import { configureConnection, systemClock, type Clock, type Db } from './db';
import { JobRepo } from './jobs';
import { migrate, MIGRATIONS, type Migration } from './migrations';
import { ModelRepo } from './models';
import { PredictionRepo } from './predictions';
import { SettingsRepo } from './settings';
import { StudyRepo } from './studies';

/** File name of the database inside the user data folder. */
export const DATABASE_FILE = 'glaucoma-studio.sqlite3';

export class Store {
  readonly studies: StudyRepo;
  readonly cases: CaseRepo;
  readonly predictions: PredictionRepo;
  readonly annotations: AnnotationRepo;
  readonly caseRoles: CaseRoleRepo;
  readonly models: ModelRepo;
  readonly jobs: JobRepo;
  readonly approvals: ApprovalRepo;
  readonly calls: ClinicianCallRepo;
  readonly audit: AuditRepo;
  readonly settings: SettingsRepo;

  constructor(
    readonly db: Db,
    readonly now: Clock = systemClock,
  ) {
    this.studies = new StudyRepo(db, now);
    this.cases = new CaseRepo(db, now);
    this.predictions = new PredictionRepo(db, now);
    this.annotations = new AnnotationRepo(db, now);
    this.caseRoles = new CaseRoleRepo(db, now);
    this.models = new ModelRepo(db, now);
    this.jobs = new JobRepo(db, now);
    this.approvals = new ApprovalRepo(db);
    this.calls = new ClinicianCallRepo(db, now);
    this.audit = new AuditRepo(db, now);
    this.settings = new SettingsRepo(db, now);
  }

  /** Runs `fn` in one transaction (nested calls become savepoints). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

export interface OpenStoreOptions {
  readonly now?: Clock;
  readonly migrations?: readonly Migration[];
}

/** Configures the connection (WAL, foreign keys), brings the schema up to date and returns the store. */
export function openStore(db: Db, options: OpenStoreOptions = {}): Store {
  configureConnection(db);
  migrate(db, options.migrations ?? MIGRATIONS);
  return new Store(db, options.now ?? systemClock);
}
