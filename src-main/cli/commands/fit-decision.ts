import path from 'node:path';
import { describeDecision, readManifest, rewritePackage } from '../../core/model/package';
import { keepMeasuredDomain } from '../../core/decision/field-of-view';
import { crossValidationOf, fitDecisionFromScores, readScoreFiles } from '../../core/train/fit-decision';
import { listOf, num, required, str, UsageError, type CommandSpec, type ParsedOptions } from '../args';
import { defaultModelDir } from '../paths';

export const fitDecisionCommand: CommandSpec = {
  name: 'fit-decision',
  summary: "choose and fit a model's glaucoma decision rule by cross-validation on images it did not train on, with its operating point",
  usage: 'glaucoma-studio fit-decision --scores FILE|RUN[,...] --model PKG --out PKG [--specificity 0.85] [--validation]',
  options: {
    scores: {
      type: 'string',
      description: "comma-separated: evaluate metrics.json files or cross-validated training run folders (their folds' evaluation.json), scored on images the model did not train on",
      placeholder: 'FILES',
    },
    model: { type: 'string', description: 'model package the rule is for (default: the bundled model)', placeholder: 'PKG' },
    out: { type: 'string', description: 'where the package with its decision model goes (may be the same folder)', placeholder: 'PKG' },
    specificity: { type: 'number', description: 'target specificity of the stored operating point', default: 0.85, min: 0.5 },
    note: { type: 'string', description: 'what the scored images are, for the record' },
    notes: { type: 'string', description: "replace the data card's notes (known limitations) in the written package" },
    validation: { type: 'boolean', description: "also record the run's cross-validation (one run folder in --scores: its folds' summaries) as the package's validation, as train does for its own final model" },
  },
  examples: [
    'glaucoma-studio evaluate --data drishti:../shared/data/drishti-gs1 --split test --tta --out runs/eval-test',
    'glaucoma-studio fit-decision --scores runs/eval-test/metrics.json --model resources/model --out runs/model-with-decision',
    'glaucoma-studio fit-decision --scores runs/drishti --model runs/drishti/model --out runs/drishti/model',
  ],
};

export async function runFitDecision(options: ParsedOptions): Promise<number> {
  const files = listOf(required(options, 'scores', 'fit-decision')).map((f) => path.resolve(f));
  const model = path.resolve(str(options, 'model') ?? defaultModelDir());
  const out = path.resolve(required(options, 'out', 'fit-decision'));
  const scores = readScoreFiles(files);
  const note = str(options, 'note') ?? `${scores.length} images scored by models that did not train on them (${files.map((f) => path.basename(f)).join(', ')})`;
  if (options['validation'] && files.length !== 1) throw new UsageError('--validation needs exactly one cross-validated run folder in --scores');
  // Read before anything is fitted or written: a folder that is not a run is refused with nothing written.
  const validation = options['validation'] ? crossValidationOf(files[0]!) : null;
  const fitted = fitDecisionFromScores(scores, note, (m) => process.stdout.write(`${m}\n`), num(options, 'specificity'));
  if (!fitted) return 1;
  const source = readManifest(model);
  // A field of view measured for these networks (set-domain) outlives a refit of the rule on top of them.
  const previous = source.decision?.domain;
  const domain = fitted.domain ? keepMeasuredDomain(fitted.domain, previous) : previous;
  const decision = { ...fitted, ...(domain ? { domain } : {}) };
  if (domain?.evidence) process.stdout.write(`field of view kept from the package (measured): ${domain.evidence}\n`);
  const notes = str(options, 'notes');
  await rewritePackage(model, out, { decision, ...(notes ? { dataCard: { ...source.dataCard, notes } } : {}), ...(validation ? { validation } : {}) });
  if (validation) process.stdout.write(`validation recorded: ${validation.note}\n`);
  process.stdout.write(`${describeDecision(decision).join('\n')}\n\nmodel package with its decision model: ${out}\n`);
  return 0;
}
