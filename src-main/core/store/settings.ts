// App-wide settings: one row per key, its value JSON read back through a
// schema, who set it and when. Every change is written with its app-wide audit
// entry (case_id NULL: no one case's) in one transaction, with the old and the
// new value in words.
import { z } from 'zod';
import type { Clock, Db } from './db';
import { recordAudit } from './audit';
import { readJson } from './json';

/** The operating point: the target specificity every model decides at; null for each model's own stored default. */
export const OperatingPointValueSchema = z.object({ version: z.literal(1), targetSpecificity: z.number().min(0).max(1).nullable() });
export type OperatingPointValue = z.infer<typeof OperatingPointValueSchema>;

const OPERATING_POINT_KEY = 'operating-point';

export interface StoredSetting<T> {
  readonly value: T;
  readonly updatedBy: string;
  readonly updatedAt: string;
}

/** One app-wide audit entry. */
export interface AppAuditEntry {
  readonly id: number;
  readonly kind: string;
  readonly detail: string;
  readonly author: string;
  readonly at: string;
}

export class SettingsRepo {
  constructor(
    private readonly db: Db,
    private readonly now: Clock,
  ) {}

  /** The operating point setting, or null while it was never set (each model's default). */
  operatingPoint(): StoredSetting<OperatingPointValue> | null {
    const row = this.db
      .prepare<[string], { value: string; updated_by: string; updated_at: string }>('SELECT value, updated_by, updated_at FROM app_settings WHERE key = ?')
      .get(OPERATING_POINT_KEY);
    return row ? { value: readJson(OperatingPointValueSchema, row.value, `app_settings ${OPERATING_POINT_KEY}`), updatedBy: row.updated_by, updatedAt: row.updated_at } : null;
  }

  /**
   * Sets the operating point and records the change (`detail`, with old and new values) in the app-wide trail.
   * Call inside the transaction that re-decides the cases, so neither is ever without the other.
   */
  setOperatingPoint(value: OperatingPointValue, author: string, detail: string): void {
    const at = this.now();
    this.db
      .prepare(
        `INSERT INTO app_settings (key, value, updated_by, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
      )
      .run(OPERATING_POINT_KEY, JSON.stringify(OperatingPointValueSchema.parse(value)), author, at);
    recordAudit(this.db, { caseId: null, kind: 'operating-point', detail, author, at });
  }

  /** App-wide audit entries of a kind, newest first. */
  appAudit(kind: string): AppAuditEntry[] {
    return this.db
      .prepare<[string], { id: number; kind: string; detail: string; author: string; created_at: string }>(
        'SELECT id, kind, detail, author, created_at FROM audit_events WHERE case_id IS NULL AND kind = ? ORDER BY id DESC',
      )
      .all(kind)
      .map((r) => ({ id: r.id, kind: r.kind, detail: r.detail, author: r.author, at: r.created_at }));
  }
}
