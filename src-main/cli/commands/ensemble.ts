import path from 'node:path';
import { describeDecision, STAGE_FUSIONS, type StageFusion } from '../../core/model/package';
import { ensemblePackages } from '../../core/model/ensemble';
import { createSharpCodec } from '../../platform/sharp-codec';
import { listOf, required, str, UsageError, type CommandSpec, type ParsedOptions } from '../args';

// A package id as train makes them (a slug of the name and a random suffix): safe in a file name and a URL.
const PACKAGE_ID = /^[a-z0-9-]+$/;

export const ensembleCommand: CommandSpec = {
  name: 'ensemble',
  summary: 'join model packages of one recipe (other seeds, other augmentations) into one package that averages their probability maps',
  usage: 'glaucoma-studio ensemble --models PKG,PKG[,...] --out PKG [--name TEXT] [--id ID] [--stage-fusion replace|average|average-disc]',
  options: {
    models: { type: 'string', description: 'comma-separated model packages; the first is the primary (its decision rule and data card are kept)', placeholder: 'PKGS' },
    out: { type: 'string', description: 'where the ensemble package goes', placeholder: 'PKG' },
    name: { type: 'string', description: "the package's name" },
    id: { type: 'string', description: "the package's id: lowercase letters, digits and dashes (default: 'ensemble-' and the members' ids)", placeholder: 'ID' },
    'stage-fusion': { type: 'string', description: "how a second crop stage's disc and cup become the result: replace them, average both with the first stage's, or average the disc only (default: the members')", choices: STAGE_FUSIONS },
  },
  examples: [
    'glaucoma-studio ensemble --models resources/model,runs/seed2/model --out runs/ensemble',
    'glaucoma-studio evaluate --data drishti:../shared/data/drishti-gs1 --split test --tta --model runs/ensemble --out runs/eval-ensemble',
  ],
};

export async function runEnsemble(options: ParsedOptions): Promise<number> {
  const models = listOf(required(options, 'models', 'ensemble')).map((m) => path.resolve(m));
  const out = path.resolve(required(options, 'out', 'ensemble'));
  const name = str(options, 'name');
  const id = str(options, 'id');
  if (id !== undefined && !PACKAGE_ID.test(id)) throw new UsageError(`--id: "${id}" must be lowercase letters, digits and dashes`);
  // The parser has checked it against STAGE_FUSIONS.
  const stageFusion = str(options, 'stage-fusion') as StageFusion | undefined;
  const manifest = await ensemblePackages(models, out, { codec: createSharpCodec(), ...(name ? { name } : {}), ...(id ? { id } : {}), ...(stageFusion ? { stageFusion } : {}) });
  const rule = describeDecision(manifest.decision ?? null)[0];
  process.stdout.write(
    [
      `ensemble of ${models.length} models: ${out}`,
      `networks: ${manifest.networks.map((n) => n.id).join(', ')}`,
      `crop stages: ${{ average: 'the second averaged with the first', 'average-disc': "the second's disc averaged with the first's, its cup its own", replace: 'the last one read alone' }[manifest.preprocessing.stageFusion ?? 'replace']}`,
      `decision rule kept from the primary (${models[0]}): ${rule}`,
      'It was fitted on the primary\'s scores: refit it on the ensemble\'s own (evaluate, then fit-decision) before relying on its operating point.',
      '',
    ].join('\n'),
  );
  return 0;
}
