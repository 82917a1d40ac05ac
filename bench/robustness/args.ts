// Command-line options the robustness scripts share: `--name value` pairs read from process.argv, and the two
// reading options several scripts take (how the crop stages are fused, which shape prior disc and cup get), checked
// against the pipeline's own lists so a typo is named instead of silently read as the package's default.
import { isShapePrior, SHAPE_PRIORS, type ShapePrior } from '../../src-main/core/masks/shape-prior';
import { isStageFusion, STAGE_FUSIONS, type StageFusion } from '../../src-main/core/model/package';

/** The value after `--name`, or undefined when the option is absent. */
export function optionalArg(name: string, argv: readonly string[] = process.argv): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i > 0 ? argv[i + 1] : undefined;
}

/** `--stage-fusion replace|average|average-disc`; undefined (the package's own) when absent. */
export function stageFusionArg(argv: readonly string[] = process.argv): StageFusion | undefined {
  const value = optionalArg('stage-fusion', argv);
  if (value === undefined || value === '') return undefined;
  if (!isStageFusion(value)) throw new Error(`--stage-fusion must be one of ${STAGE_FUSIONS.join(', ')}, got ${value}`);
  return value;
}

/** `--shape-prior none|filled|hull|ellipse`; undefined (the package's own) when absent. */
export function shapePriorArg(argv: readonly string[] = process.argv): ShapePrior | undefined {
  const value = optionalArg('shape-prior', argv);
  if (value === undefined || value === '') return undefined;
  if (!isShapePrior(value)) throw new Error(`--shape-prior must be one of ${SHAPE_PRIORS.join(', ')}, got ${value}`);
  return value;
}

/** `--cup-threshold P`, the probability at which the cup map becomes the cup (0 < P < 1); undefined (the package's) when absent. */
export function cupThresholdArg(argv: readonly string[] = process.argv): number | undefined {
  const value = optionalArg('cup-threshold', argv);
  if (value === undefined || value === '') return undefined;
  const p = Number(value);
  if (!(p > 0 && p < 1)) throw new Error(`--cup-threshold must be between 0 and 1, got ${value}`);
  return p;
}
