import path from 'node:path';
import { z } from 'zod';
import { DecisionDomainSchema } from '../../core/decision/model';
import { InputError } from '../../core/errors';
import { readJsonFileAs } from '../../core/fs/json-file';
import { readManifest, rewritePackage } from '../../core/model/package';
import { required, str, type CommandSpec, type ParsedOptions } from '../args';
import { defaultModelDir } from '../paths';

export const setDomainCommand: CommandSpec = {
  name: 'set-domain',
  summary: 'record the disc sizes (field of view) a package decides on, as the robustness benchmark measured them (bench/robustness/fov-domain.ts)',
  usage: 'glaucoma-studio set-domain --model PKG --from FILE --out PKG',
  options: {
    model: { type: 'string', description: 'model package with a decision model (default: the bundled model)', placeholder: 'PKG' },
    from: { type: 'string', description: "JSON with a 'domain' ({ discSize: { low, high }, evidence }), as bench/robustness/fov-domain.ts writes it", placeholder: 'FILE' },
    out: { type: 'string', description: 'where the package goes (may be the same folder)', placeholder: 'PKG' },
  },
  examples: [
    'npx tsx bench/robustness/run.ts --model runs/cv/folds/1/model --parts shifts --shifts wider,crop --images 10 --out runs/fov/1',
    'npx tsx bench/robustness/fov-domain.ts --results runs/fov/1,runs/fov/2 --out runs/fov/domain.json',
    'glaucoma-studio set-domain --model runs/cv/model --from runs/fov/domain.json --out runs/cv/model',
  ],
};

// Only a measured span is recorded here: one without evidence would read like the cases' own.
const MeasuredDomainFileSchema = z.object({ domain: DecisionDomainSchema.and(z.object({ evidence: z.string().min(1) })) });

export async function runSetDomain(options: ParsedOptions): Promise<number> {
  const model = path.resolve(str(options, 'model') ?? defaultModelDir());
  const out = path.resolve(required(options, 'out', 'set-domain'));
  const { domain } = readJsonFileAs(path.resolve(required(options, 'from', 'set-domain')), MeasuredDomainFileSchema);
  const decision = readManifest(model).decision;
  if (!decision) throw new InputError(model, 'has no decision model: fit one first (fit-decision), then record where it decides');
  const pct = (v: number): string => `${(100 * v).toFixed(0)} %`;
  const before = decision.domain ? `${pct(decision.domain.discSize.low)}-${pct(decision.domain.discSize.high)}` : 'no check';
  await rewritePackage(model, out, { decision: { ...decision, domain } });
  process.stdout.write(`decides on discs spanning ${pct(domain.discSize.low)}-${pct(domain.discSize.high)} of the image's shorter side (was ${before}): ${out}\n${domain.evidence}\n`);
  return 0;
}
