// Store: the app's SQLite database (better-sqlite3, created by
// src-main/platform/sqlite.ts and passed in). One repository class per table
// group; JSON columns are validated on read (json.ts); schema changes are
// appended to migrations.ts. Every multi-row change runs in one transaction.
export * from './annotations';
export * from './approvals';
export * from './audit';
export * from './clinician-calls';
export * from './case-roles';
export * from './cases';
export * from './db';
export * from './ids';
export * from './jobs';
export * from './json';
export * from './migrations';
export * from './models';
export * from './predictions';
export * from './settings';
export * from './store';
export * from './studies';
