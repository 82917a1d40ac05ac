import { InputError } from '../../core/errors';
import { averagesStages, hasSecondCropStage, STAGE_FUSIONS, withStageFusion, type StageFusion } from '../../core/model/package';
import { required, type CommandSpec, type ParsedOptions } from '../args';
import { rewriteReading } from './rewrite-reading';

export const setStageFusionCommand: CommandSpec = {
  name: 'set-stage-fusion',
  summary: "record how a package's second disc-crop stage becomes the result (refit its decision on readings made that way: fit-decision)",
  usage: 'glaucoma-studio set-stage-fusion --model PKG --fusion replace|average|average-disc --out PKG',
  options: {
    model: { type: 'string', description: 'model package with a second disc-crop stage (default: the bundled model)', placeholder: 'PKG' },
    fusion: {
      type: 'string',
      description: "replace: the second stage's disc and cup alone; average: both averaged with the first stage's; average-disc: the disc averaged, the cup the second stage's",
      choices: STAGE_FUSIONS,
    },
    out: { type: 'string', description: 'where the package goes (may be the same folder)', placeholder: 'PKG' },
  },
  examples: [
    'npx tsx bench/robustness/rescore.ts --run runs/cv --out runs/cv-avgdisc --stage-fusion average-disc',
    'glaucoma-studio set-stage-fusion --model runs/cv/model --fusion average-disc --out runs/model-avgdisc',
    'glaucoma-studio fit-decision --scores runs/cv-avgdisc --model runs/model-avgdisc --out runs/model-avgdisc --validation',
  ],
};

export function runSetStageFusion(options: ParsedOptions): Promise<number> {
  // The parser has checked it against STAGE_FUSIONS.
  const fusion = required(options, 'fusion', 'set-stage-fusion') as StageFusion;
  return rewriteReading(
    options,
    'set-stage-fusion',
    (before, model) => {
      if (averagesStages(fusion) && !hasSecondCropStage(before.networks)) throw new InputError(model, `has no second disc-crop stage: '${fusion}' has nothing to average`);
      return withStageFusion(before.preprocessing, fusion);
    },
    (m) => `crop stages: ${fusion} (format version ${m.formatVersion})`,
  );
}
