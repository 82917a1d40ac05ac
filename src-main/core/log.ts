// The one logging signature the core is handed (services are built once and
// passed in, so there is no module-level logger): the app writes it to its log
// file, the CLI to stderr, tests collect it.
export type LogLevel = 'info' | 'warn' | 'error';
export type Log = (level: LogLevel, message: string) => void;
