// Architecture configuration of the multi-task U-Net: the defaults, the two
// layouts (the paper's text and the paper's public code), and a validator that
// copies a user's config, fills defaults and says clearly what is wrong.
import { z } from 'zod';
import { ConfigError } from '../errors';

export const ARCH_VARIANTS = ['vgg16', 'paper'] as const;
export type ArchVariant = (typeof ARCH_VARIANTS)[number];

export const NORMALIZATIONS = ['batch', 'none'] as const;
export type Normalization = (typeof NORMALIZATIONS)[number];

/** The architecture as a model package stores it (model.json); the type is derived from it. */
export const ArchConfigSchema = z.object({
  /**
   * 'vgg16': the paper's text, a VGG16 encoder (2-2-3-3-3 convs).
   * 'paper': the paper's public code, a milesial-style U-Net (2 convs per level,
   * batch norm), 17.27 M parameters at width 1.
   */
  variant: z.enum(ARCH_VARIANTS),
  /** Channel multiplier: 1 is the published size; 1/4 or 1/8 gives CPU- and test-sized models. */
  width: z.number().positive(),
  /**
   * 'batch': batch norm after every 3x3 conv, with moving statistics at test
   * time (the paper's code uses batch statistics at test time too, which makes a
   * prediction depend on the rest of the batch; we do not).
   */
  normalization: z.enum(NORMALIZATIONS),
  /** Side of the square network input in pixels; a multiple of 16 (four poolings). */
  inputSize: z.number().int().positive(),
  /** Dropout before the glaucoma classifier's dense layer. */
  glaucomaDropout: z.number().min(0).max(1),
  /** Hidden units of the glaucoma classifier (0 = a single dense layer to the logit). */
  glaucomaHidden: z.number().int().min(0),
  /**
   * Disc crops only: the network works on the crop's polar image (polar.ts) and
   * its disc and cup maps are warped back. Absent: Cartesian (absent, not false,
   * so packages and checkpoint fingerprints made before the option stay as they were).
   */
  polar: z.literal(true).optional(),
});
export type ArchConfig = Readonly<z.infer<typeof ArchConfigSchema>>;

export const DEFAULT_ARCH: ArchConfig = {
  variant: 'vgg16',
  width: 1,
  normalization: 'batch',
  inputSize: 256,
  // The paper's code: Dropout(p=0.8) before Linear(512, 1).
  glaucomaDropout: 0.8,
  glaucomaHidden: 0,
};

/** One encoder or decoder level: the output channels of its 3x3 convs, before the width multiplier. */
export type LevelChannels = readonly number[];

export interface UNetLayout {
  /** Encoder levels, shallow to deep; a 2x2 max-pool sits between consecutive levels. */
  readonly encoder: readonly LevelChannels[];
  /**
   * Decoder levels, deep to shallow: each upsamples 2x (bilinear), concatenates
   * the encoder level of the same resolution, then applies its convs.
   */
  readonly decoder: readonly LevelChannels[];
  /**
   * Whether 3x3 convs keep a bias in front of batch norm. Redundant (the norm's
   * shift absorbs it), but the paper's code has it, and its parameter count
   * (17,268,036) includes it.
   */
  readonly convBias: boolean;
}

export const LAYOUTS: Readonly<Record<ArchVariant, UNetLayout>> = {
  vgg16: {
    encoder: [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]],
    decoder: [[512, 256], [256, 128], [128, 64], [64, 64]],
    convBias: false,
  },
  // milesial Pytorch-UNet with bilinear upsampling: DoubleConv(mid, out) per level.
  paper: {
    encoder: [[64, 64], [128, 128], [256, 256], [512, 512], [512, 512]],
    decoder: [[512, 256], [256, 128], [128, 64], [64, 64]],
    convBias: true,
  },
};

/** Channels after the width multiplier; never below 4 so tiny models still learn. */
export function scaledChannels(channels: number, width: number): number {
  return Math.max(4, Math.round(channels * width));
}

/** Copies `partial` over the defaults and checks every field; throws ConfigError naming the field. */
export function resolveArchConfig(partial: Partial<ArchConfig> = {}): ArchConfig {
  const config: ArchConfig = { ...DEFAULT_ARCH, ...stripUndefined(partial) };
  if (!ARCH_VARIANTS.includes(config.variant)) {
    throw new ConfigError(`arch: unknown variant "${config.variant}" (use ${ARCH_VARIANTS.join(' or ')})`);
  }
  if (!NORMALIZATIONS.includes(config.normalization)) {
    throw new ConfigError(`normalization: unknown value "${config.normalization}" (use ${NORMALIZATIONS.join(' or ')})`);
  }
  if (!(config.width > 0 && config.width <= 4)) {
    throw new ConfigError(`width: ${config.width} is out of range (0, 4]; e.g. 1, 0.5, 0.25`);
  }
  if (!Number.isInteger(config.inputSize) || config.inputSize < 32 || config.inputSize % 16 !== 0) {
    throw new ConfigError(`size: ${config.inputSize} must be a multiple of 16 and at least 32 (the encoder pools four times)`);
  }
  if (config.inputSize > 2048) {
    throw new ConfigError(`size: ${config.inputSize} is larger than 2048; the network would not fit in memory`);
  }
  if (!(config.glaucomaDropout >= 0 && config.glaucomaDropout < 1)) {
    throw new ConfigError(`glaucomaDropout: ${config.glaucomaDropout} must be in [0, 1)`);
  }
  if (!Number.isInteger(config.glaucomaHidden) || config.glaucomaHidden < 0) {
    throw new ConfigError(`glaucomaHidden: ${config.glaucomaHidden} must be a non-negative integer`);
  }
  if (config.polar !== undefined && config.polar !== true) {
    throw new ConfigError(`polar: ${String(config.polar)} must be true or absent`);
  }
  return config;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
