// A small typed layer over node:util parseArgs: each command declares its
// options once, and gets parsing, defaults, validation messages and --help
// from that one declaration.
import { parseArgs } from 'node:util';

export type OptionSpec =
  | { readonly type: 'string'; readonly description: string; readonly default?: string; readonly placeholder?: string; readonly choices?: readonly string[] }
  | { readonly type: 'number'; readonly description: string; readonly default?: number; readonly placeholder?: string; readonly integer?: boolean; readonly min?: number }
  | { readonly type: 'boolean'; readonly description: string };

export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly positionals?: { readonly name: string; readonly description: string; readonly required: boolean };
  readonly examples?: readonly string[];
}

export type ParsedOptions = Record<string, string | number | boolean | undefined>;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parseCommandArgs(spec: CommandSpec, argv: readonly string[]): { options: ParsedOptions; positionals: string[]; help: boolean } {
  const config: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' } };
  for (const [name, o] of Object.entries(spec.options)) config[name] = { type: o.type === 'boolean' ? 'boolean' : 'string' };
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: config, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${spec.name}: ${error instanceof Error ? error.message.replace(/\. To specify a positional.*$/, '') : String(error)} (see glaucoma-studio ${spec.name} --help)`);
  }
  const options: ParsedOptions = {};
  for (const [name, o] of Object.entries(spec.options)) {
    const raw = (parsed.values as Record<string, string | boolean | undefined>)[name];
    if (o.type === 'boolean') {
      options[name] = raw === true;
      continue;
    }
    if (raw === undefined) {
      options[name] = o.default;
      continue;
    }
    if (o.type === 'number') {
      const n = Number(raw);
      if (!Number.isFinite(n) || (o.integer && !Number.isInteger(n)) || (o.min !== undefined && n < o.min)) {
        throw new UsageError(`--${name}: "${raw}" is not ${o.integer ? 'an integer' : 'a number'}${o.min !== undefined ? ` >= ${o.min}` : ''}`);
      }
      options[name] = n;
    } else {
      if (o.choices && !o.choices.includes(String(raw))) throw new UsageError(`--${name}: "${raw}" is not one of ${o.choices.join(', ')}`);
      options[name] = String(raw);
    }
  }
  const help = parsed.values.help === true;
  if (!help && spec.positionals?.required && parsed.positionals.length === 0) {
    throw new UsageError(`${spec.name}: missing ${spec.positionals.name} (see glaucoma-studio ${spec.name} --help)`);
  }
  if (!help && !spec.positionals && parsed.positionals.length > 0) {
    throw new UsageError(`${spec.name}: unexpected argument "${parsed.positionals[0]}" (see glaucoma-studio ${spec.name} --help)`);
  }
  return { options, positionals: parsed.positionals, help };
}

export function formatHelp(spec: CommandSpec): string {
  const lines = [`glaucoma-studio ${spec.name}: ${spec.summary}`, '', `Usage: ${spec.usage}`, ''];
  if (spec.positionals) lines.push(`  ${spec.positionals.name.padEnd(24)} ${spec.positionals.description}`);
  for (const [name, o] of Object.entries(spec.options)) {
    const flag = o.type === 'boolean' ? `--${name}` : `--${name} ${o.placeholder ?? (o.type === 'number' ? 'N' : 'VALUE')}`;
    const def = o.type !== 'boolean' && o.default !== undefined ? ` (default ${o.default})` : '';
    const choices = o.type === 'string' && o.choices ? ` [${o.choices.join('|')}]` : '';
    lines.push(`  ${flag.padEnd(24)} ${o.description}${choices}${def}`);
  }
  lines.push(`  ${'--help'.padEnd(24)} this help`);
  if (spec.examples?.length) lines.push('', 'Examples:', ...spec.examples.map((e) => `  ${e}`));
  return `${lines.join('\n')}\n`;
}

export function str(options: ParsedOptions, name: string): string | undefined {
  const v = options[name];
  return typeof v === 'string' ? v : undefined;
}

export function num(options: ParsedOptions, name: string): number {
  const v = options[name];
  if (typeof v !== 'number') throw new UsageError(`--${name} is required`);
  return v;
}

export function flag(options: ParsedOptions, name: string): boolean {
  return options[name] === true;
}

/** A comma-separated option's items, trimmed, empty ones (from "a,,b" or a trailing comma) dropped. */
export function listOf(value: string | undefined): string[] {
  return (value ?? '').split(',').map((item) => item.trim()).filter(Boolean);
}

export function required(options: ParsedOptions, name: string, command: string): string {
  const v = str(options, name);
  if (!v) throw new UsageError(`${command}: --${name} is required (see glaucoma-studio ${command} --help)`);
  return v;
}
