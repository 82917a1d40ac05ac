// What makes a screening output folder honest: a previous run's files are
// removed before a new run writes beside them, every finished image is logged
// (one JSON line each, so a kill -9 loses at most the line being written), and
// config.json says in `status` whether the folder is complete, partial or still
// running. `screen --resume` continues a partial run from its log.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { InputError } from '../errors';
import type { ScreenedImage } from './types';

/** config.json `status`: running (or killed while running), partial (stopped before the end), complete. */
export type ScreenRunStatus = 'running' | 'partial' | 'complete';

/** The per-image log a resumed run reads back. */
export const SCREEN_LOG_FILE = 'screened.jsonl';

/** Files and folders a screening run writes; a new run without --resume removes these, and only these. */
const RUN_FILES = ['config.json', 'summary.csv', 'classification_results.csv', 'fovea_location_results.csv', 'report.html', SCREEN_LOG_FILE];
const RUN_FOLDERS: Readonly<Record<string, RegExp>> = { segmentation: /\.bmp$/i, overlays: /\.png$/i };

/** Removes a previous run's outputs from outDir (files the run writes, nothing else). Returns how many were removed. */
export function clearPreviousRun(outDir: string): number {
  let removed = 0;
  for (const name of RUN_FILES) {
    const file = path.join(outDir, name);
    if (fs.existsSync(file)) {
      fs.rmSync(file, { force: true });
      removed++;
    }
  }
  for (const [folder, pattern] of Object.entries(RUN_FOLDERS)) {
    const dir = path.join(outDir, folder);
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir)) {
      if (pattern.test(name) || name.endsWith('.tmp')) {
        fs.rmSync(path.join(dir, name), { force: true });
        removed++;
      }
    }
  }
  return removed;
}

const LoggedImageSchema = z.object({
  id: z.string(),
  file: z.string(),
  name: z.string(),
  prediction: z.any().nullable(),
  problem: z.string().nullable(),
  ms: z.number(),
});

/** Appends one finished image to the log (a single write; fsync so an acknowledged image survives a crash). */
export function logScreenedImage(outDir: string, image: ScreenedImage): void {
  const fd = fs.openSync(path.join(outDir, SCREEN_LOG_FILE), 'a');
  try {
    fs.writeSync(fd, `${JSON.stringify(image)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The images a previous run finished, for --resume. The config must name the same folder, model and
 * decision settings;
 * a half-written last line (a kill during the write) is dropped, so that image is screened again.
 * An image whose segmentation file is gone is screened again too.
 */
export function readPreviousRun(outDir: string, folder: string, modelId: string, decision?: unknown): Map<string, ScreenedImage> {
  const configFile = path.join(outDir, 'config.json');
  let config: { folder?: unknown; model?: { id?: unknown }; decision?: unknown; status?: unknown };
  try {
    config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
  } catch {
    throw new InputError(outDir, 'nothing to resume: no readable config.json from an earlier screening run here (run without --resume)');
  }
  if (config.folder !== path.resolve(folder)) throw new InputError(configFile, `the earlier run screened ${String(config.folder)}, not ${path.resolve(folder)}; resume with the same folder or start a new run`);
  if (config.model?.id !== modelId) throw new InputError(configFile, `the earlier run used model ${String(config.model?.id)}, not ${modelId}; resume with the same model or start a new run`);
  // Decisions at another operating point (--specificity, --fusion) would mix two rules in one summary.
  if (decision !== undefined && config.decision !== undefined && JSON.stringify(config.decision) !== JSON.stringify(decision)) {
    throw new InputError(configFile, `the earlier run decided with ${JSON.stringify(config.decision)}, not ${JSON.stringify(decision)}; resume with the same --fusion and --specificity or start a new run`);
  }
  const done = new Map<string, ScreenedImage>();
  let text = '';
  try {
    text = fs.readFileSync(path.join(outDir, SCREEN_LOG_FILE), 'utf8');
  } catch {
    return done;
  }
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      continue;
    }
    const image = LoggedImageSchema.safeParse(parsed);
    if (!image.success) continue;
    const value = image.data as ScreenedImage;
    if (value.prediction && !fs.existsSync(path.join(outDir, 'segmentation', `${value.id}.bmp`))) continue;
    done.set(value.file, value);
  }
  return done;
}
