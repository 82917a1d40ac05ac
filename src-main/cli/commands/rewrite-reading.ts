// What set-stage-fusion and set-shape-prior share: a package rewritten with another way of reading its networks'
// outputs (its pre-processing record), and the warning that its decision was fitted on readings made the old way.
import path from 'node:path';
import { readManifest, rewritePackage, type ModelManifest, type Preprocessing } from '../../core/model/package';
import { required, str, type ParsedOptions } from '../args';
import { defaultModelDir } from '../paths';

/**
 * Rewrites --model (default: the bundled model) into --out with the pre-processing `change` gives (it may refuse,
 * naming the package), then prints `said(manifest)` and the refit warning.
 */
export async function rewriteReading(
  options: ParsedOptions,
  command: string,
  change: (before: ModelManifest, model: string) => Preprocessing,
  said: (manifest: ModelManifest) => string,
): Promise<number> {
  const model = path.resolve(str(options, 'model') ?? defaultModelDir());
  const out = path.resolve(required(options, 'out', command));
  const manifest = await rewritePackage(model, out, { preprocessing: change(readManifest(model), model) });
  process.stdout.write(`${said(manifest)}: ${out}\nIts decision was fitted on readings made before: refit it on readings made this way (fit-decision) before relying on its operating point.\n`);
  return 0;
}
