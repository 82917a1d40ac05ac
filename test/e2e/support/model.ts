// The model package the e2e back end screens and fine-tunes with: E2E_MODEL if
// set, else the bundled resources/model, else a tiny model trained once on
// synthetic images by the CLI and cached in test-output/e2e-cache (gitignored;
// delete the folder to retrain). Its quality does not matter: the suite edits
// a synthetic case whose true disc and fovea it knows.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const cache = path.join(root, 'test-output', 'e2e-cache');
const trainedModel = path.join(cache, 'run', 'model');

function isModel(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'model.json'));
}

export function e2eModelDir(): string {
  if (process.env.E2E_MODEL) return path.resolve(process.env.E2E_MODEL);
  const bundled = path.join(root, 'resources', 'model');
  return isModel(bundled) ? bundled : trainedModel;
}

/** Makes sure e2eModelDir() holds a model package; trains the tiny one when needed (about two minutes on two CPU cores). */
export function prepareE2eModel(): string {
  const dir = e2eModelDir();
  if (isModel(dir)) return dir;
  if (dir !== trainedModel) throw new Error(`E2E_MODEL=${dir} is not a model package (no model.json)`);
  fs.rmSync(cache, { recursive: true, force: true });
  fs.mkdirSync(cache, { recursive: true });
  const cli = (args: string[]) => execFileSync(process.execPath, [path.join(root, 'bin', 'glaucoma-studio.mjs'), ...args], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  cli(['synth', '--out', path.join(cache, 'synth'), '--count', '16', '--seed', '11']);
  cli(['train', '--data', `refuge:${path.join(cache, 'synth')}`, '--out', path.join(cache, 'run'), '--epochs', '30', '--width', '0.125', '--size', '64', '--batch', '8', '--augment', 'none', '--name', 'E2E tiny synthetic model', '--source', 'synthetic fundus images (e2e)']);
  if (!isModel(trainedModel)) throw new Error(`training the e2e model did not write ${trainedModel}`);
  return trainedModel;
}
