import { describe, expect, it } from 'vitest';
import { parseCommandArgs, type CommandSpec } from '../../src-main/cli/args';
import { MODEL_OPTIONS, trainingFlagsOf } from '../../src-main/cli/commands/common';

const spec: CommandSpec = { name: 'train', summary: 'train', usage: 'train', options: MODEL_OPTIONS };
const flags = (...argv: string[]) => trainingFlagsOf(parseCommandArgs(spec, argv).options);

describe('the disc and cup loss flags', () => {
  it('set each network its own loss', () => {
    const both = flags('--seg-loss', 'bce-dice', '--crop-stage', '--crop-seg-loss', 'bce-dice');
    expect(both.segLoss).toBe('bce-dice');
    expect(both.cropStage?.segLoss).toBe('bce-dice');
    const cropOnly = flags('--crop-stage', '--crop-seg-loss', 'bce-dice');
    expect(cropOnly.segLoss).toBeUndefined();
    expect(cropOnly.cropStage?.segLoss).toBe('bce-dice');
  });

  it("leave the paper's BCE out of the config, so runs made before the flags existed keep their checkpoint fingerprints", () => {
    for (const argv of [['--crop-stage'], ['--crop-stage', '--seg-loss', 'bce', '--crop-seg-loss', 'bce']]) {
      const config = flags(...argv);
      expect('segLoss' in config).toBe(false);
      expect(config.cropStage && 'segLoss' in config.cropStage).toBe(false);
    }
  });

  it('refuse a loss that does not exist, naming the flag', () => {
    expect(() => flags('--crop-seg-loss', 'dice')).toThrow(/--crop-seg-loss: "dice" is not one of bce, bce-dice/);
  });
});

describe('the polar disc-crop flag', () => {
  it('makes only the disc-crop network polar, and is left out of the config without it (fingerprints of earlier runs)', () => {
    const polar = flags('--crop-stage', '--crop-polar');
    expect(polar.cropStage?.arch.polar).toBe(true);
    expect('polar' in polar.arch).toBe(false);
    const plain = flags('--crop-stage');
    expect(plain.cropStage && 'polar' in plain.cropStage.arch).toBe(false);
  });
});

describe('the crop cascade flag', () => {
  it('asks for a Cartesian crop network before the polar one, and is left out of the config without it', () => {
    expect(flags('--crop-stage', '--crop-polar', '--crop-cascade').cropStage?.cascade).toBe(true);
    const polar = flags('--crop-stage', '--crop-polar');
    expect(polar.cropStage && 'cascade' in polar.cropStage).toBe(false);
  });

  it('needs --crop-polar, and says so', () => {
    expect(() => flags('--crop-stage', '--crop-cascade')).toThrow(/--crop-cascade places a polar disc-crop network with a Cartesian one: add --crop-polar/);
  });
});

describe("the cascade's polar augmentation flag", () => {
  it('sets only the polar network\'s augmentation, and is left out of the config without it (fingerprints of earlier runs)', () => {
    const own = flags('--crop-stage', '--crop-polar', '--crop-cascade', '--crop-polar-augment', 'camera');
    expect(own.cropStage?.polarAugment).toBe('camera');
    expect(own.cropStage?.augment).toBe('default');
    const plain = flags('--crop-stage', '--crop-polar', '--crop-cascade');
    expect(plain.cropStage && 'polarAugment' in plain.cropStage).toBe(false);
  });

  it('needs --crop-cascade, and says so', () => {
    expect(() => flags('--crop-stage', '--crop-polar', '--crop-polar-augment', 'camera')).toThrow(/--crop-polar-augment is the augmentation of a crop cascade's polar network: add --crop-cascade/);
  });
});

describe('the crop warm-up flag', () => {
  it('sets the disc-crop networks\' warm-up, and is left out of the config without it (or at 0)', () => {
    expect(flags('--crop-stage', '--crop-warmup', '5').cropStage?.warmupEpochs).toBe(5);
    for (const argv of [['--crop-stage'], ['--crop-stage', '--crop-warmup', '0']]) {
      const config = flags(...argv);
      expect(config.cropStage && 'warmupEpochs' in config.cropStage).toBe(false);
    }
  });
});

describe("the cascade's polar cup target flag", () => {
  it("asks for the experts' agreement, and is left out of the config at its default (fingerprints of earlier runs)", () => {
    expect(flags('--crop-stage', '--crop-polar', '--crop-cascade', '--crop-polar-cup-target', 'agreement').cropStage?.polarCupTarget).toBe('agreement');
    for (const plain of [flags('--crop-stage', '--crop-polar', '--crop-cascade'), flags('--crop-stage', '--crop-polar', '--crop-cascade', '--crop-polar-cup-target', 'consensus')]) {
      expect(plain.cropStage && 'polarCupTarget' in plain.cropStage).toBe(false);
    }
  });

  it('needs --crop-cascade and a known target, and says so', () => {
    expect(() => flags('--crop-stage', '--crop-polar', '--crop-polar-cup-target', 'agreement')).toThrow(/--crop-polar-cup-target is what a crop cascade's polar network learns as the cup: add --crop-polar --crop-cascade/);
    expect(() => flags('--crop-stage', '--crop-polar', '--crop-cascade', '--crop-polar-cup-target', 'soft')).toThrow(/consensus, agreement/);
  });
});
