// Options every TensorFlow command shares, and the model/training flags that
// `train` and `experiment` both take.
import { BACKEND_NAMES, parseBackendChoice, type BackendChoice } from '../../core/backend';
import { SHAPE_PRIORS, type ShapePrior } from '../../core/masks/shape-prior';
import { ARCH_VARIANTS, resolveArchConfig, type ArchConfig } from '../../core/model/config';
import { SEGMENTATION_LOSSES, type SegmentationLoss } from '../../core/model/losses';
import { STAGE_FUSIONS, type StageFusion } from '../../core/model/package';
import { AUGMENTATIONS, DEFAULT_TRAINING, readingFields, type AugmentationName, type CropStageConfig, type TrainingConfig } from '../../core/train/run-training';
import type { LearningRateSchedule } from '../../core/train/loop';
import { TASKS, isTask, type Task } from '../../core/types';
import { flag, listOf, num, str, UsageError, type OptionSpec, type ParsedOptions } from '../args';

export const BACKEND_OPTION: Record<string, OptionSpec> = {
  backend: { type: 'string', description: 'TensorFlow backend (auto: native GPU, native CPU, wasm, cpu)', default: 'auto', choices: ['auto', ...BACKEND_NAMES] },
};

export function backendOf(options: ParsedOptions): BackendChoice {
  return parseBackendChoice(str(options, 'backend'), '--backend');
}

export const MODEL_OPTIONS: Record<string, OptionSpec> = {
  arch: { type: 'string', description: 'network layout: vgg16 (paper text) or paper (its public code)', default: DEFAULT_TRAINING.arch.variant, choices: ARCH_VARIANTS },
  width: { type: 'number', description: 'channel multiplier (1 = published size, 0.25 for CPU)', default: 0.25 },
  size: { type: 'number', description: 'network input side in pixels (multiple of 16)', default: 256, integer: true, min: 32 },
  'no-batch-norm': { type: 'boolean', description: 'plain convolutions with bias instead of batch norm' },
  epochs: { type: 'number', description: 'training epochs', default: DEFAULT_TRAINING.epochs, integer: true, min: 1 },
  batch: { type: 'number', description: 'batch size', default: DEFAULT_TRAINING.batchSize, integer: true, min: 1 },
  lr: { type: 'number', description: 'Adam learning rate', default: DEFAULT_TRAINING.learningRate },
  schedule: { type: 'string', description: 'learning-rate schedule: constant (the paper) or cosine (decays to zero)', default: DEFAULT_TRAINING.schedule, choices: ['constant', 'cosine'] },
  seed: { type: 'number', description: 'random seed (same seed, same run)', default: DEFAULT_TRAINING.seed, integer: true },
  tasks: { type: 'string', description: `tasks to train, comma-separated (${TASKS.join(',')})`, default: TASKS.join(',') },
  augment: {
    type: 'string',
    description:
      'augmentation: none, default, domain (strong zoom-out and shift), camera (strong colour changes), domain-camera (both), stacked (camera colours with blur, sharpening and noise), domain-stacked (with the domain geometry) or disc-brightness (the disc brighter or dimmer against the retina, for the disc-crop network)',
    default: 'default',
    choices: Object.keys(AUGMENTATIONS),
  },
  'seg-loss': { type: 'string', description: 'disc and cup loss: bce (the paper) or bce-dice (plus a soft Dice term per image)', default: 'bce', choices: SEGMENTATION_LOSSES },
  'balance-classes': { type: 'boolean', description: 'draw glaucomatous and normal eyes equally often in every epoch (the smaller class repeated)' },
  'crop-stage': { type: 'boolean', description: 'also train a second network for disc and cup on crops around the disc' },
  'crop-size': { type: 'number', description: 'input side of the disc-crop network', default: 256, integer: true, min: 32 },
  'crop-width': { type: 'number', description: 'channel multiplier of the disc-crop network', default: 0.25 },
  'crop-epochs': { type: 'number', description: 'epochs of the disc-crop network (default: --epochs)', integer: true, min: 1 },
  'crop-augment': { type: 'string', description: 'augmentation of the disc-crop network (as --augment)', default: 'default', choices: Object.keys(AUGMENTATIONS) },
  'crop-seg-loss': { type: 'string', description: 'disc and cup loss of the disc-crop network (as --seg-loss)', default: 'bce', choices: SEGMENTATION_LOSSES },
  'crop-polar': { type: 'boolean', description: "the disc-crop network works on the crop's polar image (M-Net's transformation) and its masks are warped back" },
  'crop-warmup': { type: 'number', description: "the disc-crop networks' learning rate rises linearly over this many first epochs (default none)", min: 0 },
  'crop-cascade': { type: 'boolean', description: 'with --crop-polar: also a Cartesian disc-crop network, which places and sizes the crop the polar one reads' },
  'crop-polar-augment': { type: 'string', description: "with --crop-cascade: the polar network's augmentation (as --augment; default: --crop-augment)", choices: Object.keys(AUGMENTATIONS) },
  'crop-polar-cup-target': {
    type: 'string',
    description: "with --crop-cascade: what the polar network's cup learns: consensus (the mask the others learn) or agreement (the share of experts who drew each pixel cup; soft maps such as Drishti-GS1's)",
    default: 'consensus',
    choices: ['consensus', 'agreement'],
  },
  'crop-scale': { type: 'number', description: 'crop side as a multiple of the disc diameter', default: 2 },
  'validate-every': { type: 'number', description: 'validate every N epochs', default: 1, integer: true, min: 1 },
  float16: { type: 'boolean', description: 'store the weights as float16 (half the size)' },
  'stage-fusion': {
    type: 'string',
    description: "with --crop-cascade: how the second disc-crop stage's reading becomes the result, recorded in the packages and used to score the folds (as set-stage-fusion)",
    default: 'replace',
    choices: STAGE_FUSIONS,
  },
  'shape-prior': {
    type: 'string',
    description: 'the shape the packages give disc and cup after segmentation, recorded in them and used to score the folds (as set-shape-prior)',
    default: 'none',
    choices: SHAPE_PRIORS,
  },
};

export function tasksOf(options: ParsedOptions): Task[] {
  const list = listOf(str(options, 'tasks'));
  const bad = list.filter((t) => !isTask(t));
  if (bad.length) throw new UsageError(`--tasks: unknown task ${bad.join(', ')} (use ${TASKS.join(', ')})`);
  if (list.length === 0) throw new UsageError('--tasks: at least one task');
  return list as Task[];
}

export function archOf(options: ParsedOptions): ArchConfig {
  try {
    return resolveArchConfig({
      variant: str(options, 'arch') as ArchConfig['variant'],
      width: num(options, 'width'),
      inputSize: num(options, 'size'),
      normalization: flag(options, 'no-batch-norm') ? 'none' : 'batch',
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

export function cropStageOf(options: ParsedOptions, epochs: number): CropStageConfig | null {
  if (!flag(options, 'crop-stage')) return null;
  const arch = resolveArchConfig({
    variant: str(options, 'arch') as ArchConfig['variant'],
    width: num(options, 'crop-width'),
    inputSize: num(options, 'crop-size'),
    ...(flag(options, 'crop-polar') ? { polar: true as const } : {}),
  });
  const cropEpochs = options['crop-epochs'];
  return {
    arch,
    epochs: typeof cropEpochs === 'number' ? cropEpochs : epochs,
    cropScale: num(options, 'crop-scale'),
    minSideFraction: 0.05,
    augment: (str(options, 'crop-augment') ?? 'default') as AugmentationName,
    ...segLossField(str(options, 'crop-seg-loss')),
    ...cascadeField(options),
    ...(typeof options['crop-warmup'] === 'number' && options['crop-warmup'] > 0 ? { warmupEpochs: options['crop-warmup'] } : {}),
  };
}

function cascadeField(options: ParsedOptions): Pick<CropStageConfig, 'cascade' | 'polarAugment' | 'polarCupTarget'> {
  const polarAugment = str(options, 'crop-polar-augment') as AugmentationName | undefined;
  const agreement = str(options, 'crop-polar-cup-target') === 'agreement';
  if (!flag(options, 'crop-cascade')) {
    if (polarAugment) throw new UsageError("--crop-polar-augment is the augmentation of a crop cascade's polar network: add --crop-cascade (without it, --crop-augment is the polar network's)");
    if (agreement) throw new UsageError("--crop-polar-cup-target is what a crop cascade's polar network learns as the cup: add --crop-polar --crop-cascade");
    return {};
  }
  if (!flag(options, 'crop-polar')) throw new UsageError('--crop-cascade places a polar disc-crop network with a Cartesian one: add --crop-polar');
  return { cascade: true, ...(polarAugment ? { polarAugment } : {}), ...(agreement ? { polarCupTarget: 'agreement' as const } : {}) };
}

/**
 * The loss as a config field, left out when it is the paper's BCE: the config is
 * hashed into checkpoint fingerprints, and runs made before the option existed
 * must still resume.
 */
function segLossField(value: string | undefined): { segLoss?: SegmentationLoss } {
  return value === undefined || value === 'bce' ? {} : { segLoss: value as SegmentationLoss };
}

export function augmentOf(options: ParsedOptions): AugmentationName {
  return (str(options, 'augment') ?? 'default') as AugmentationName;
}

export function scheduleOf(options: ParsedOptions): LearningRateSchedule {
  return (str(options, 'schedule') ?? 'constant') as LearningRateSchedule;
}

/** The model and training flags `train` and `experiment` share, as a training configuration (without data, strategy, folds). */
export function trainingFlagsOf(options: ParsedOptions): Omit<TrainingConfig, 'data' | 'strategy' | 'folds' | 'finalModel' | 'name'> {
  const epochs = num(options, 'epochs');
  return {
    ...DEFAULT_TRAINING,
    tasks: tasksOf(options),
    arch: archOf(options),
    epochs,
    batchSize: num(options, 'batch'),
    learningRate: num(options, 'lr'),
    schedule: scheduleOf(options),
    seed: num(options, 'seed'),
    augment: augmentOf(options),
    ...(flag(options, 'balance-classes') ? { balanceClasses: true } : {}),
    ...segLossField(str(options, 'seg-loss')),
    cropStage: cropStageOf(options, epochs),
    validateEvery: num(options, 'validate-every'),
    weightsDtype: flag(options, 'float16') ? 'float16' : 'float32',
    dataCard: {},
    // The parser has checked both against their choices.
    ...readingFields(str(options, 'stage-fusion') as StageFusion | undefined, str(options, 'shape-prior') as ShapePrior | undefined),
  };
}
