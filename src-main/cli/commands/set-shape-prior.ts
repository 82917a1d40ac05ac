import { SHAPE_PRIOR_WORDS, SHAPE_PRIORS, type ShapePrior } from '../../core/masks/shape-prior';
import { withShapePrior } from '../../core/model/package';
import { required, type CommandSpec, type ParsedOptions } from '../args';
import { rewriteReading } from './rewrite-reading';

export const setShapePriorCommand: CommandSpec = {
  name: 'set-shape-prior',
  summary: "record the shape a package gives its disc and cup after segmentation (refit its decision on readings made that way: fit-decision)",
  usage: 'glaucoma-studio set-shape-prior --model PKG --prior none|filled|hull|ellipse --out PKG',
  options: {
    model: { type: 'string', description: 'model package (default: the bundled model)', placeholder: 'PKG' },
    prior: {
      type: 'string',
      description: 'none: as thresholded; filled: holes filled; hull: the filled convex hull; ellipse: the ellipse of the hull\'s moments',
      choices: SHAPE_PRIORS,
    },
    out: { type: 'string', description: 'where the package goes (may be the same folder)', placeholder: 'PKG' },
  },
  examples: [
    'npx tsx bench/robustness/rescore.ts --run runs/cv --out runs/cv-hull --shape-prior hull',
    'glaucoma-studio set-shape-prior --model runs/cv/model --prior hull --out runs/model-hull',
    'glaucoma-studio fit-decision --scores runs/cv-hull --model runs/model-hull --out runs/model-hull --validation',
  ],
};

export function runSetShapePrior(options: ParsedOptions): Promise<number> {
  // The parser has checked it against SHAPE_PRIORS.
  const prior = required(options, 'prior', 'set-shape-prior') as ShapePrior;
  return rewriteReading(options, 'set-shape-prior', (before) => withShapePrior(before.preprocessing, prior), (m) => `shape prior: ${SHAPE_PRIOR_WORDS[prior]} (format version ${m.formatVersion})`);
}
