// Training augmentation: labels move with the image, the camera's black border
// stays black, colour and image-quality changes leave geometry alone, and a seed
// gives one result.
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src-main/core/random';
import { augmentExample, CAMERA_AUGMENTATION, DISC_BRIGHTNESS_AUGMENTATION, DOMAIN_AUGMENTATION, DOMAIN_STACKED_AUGMENTATION, NO_AUGMENTATION, type AugmentConfig } from '../../../src-main/core/train/augment';
import { syntheticExample } from '../../helpers/examples';

const SIZE = 48;
const example = syntheticExample('a', SIZE, { cx: 14, cy: 20, r: 6, glaucoma: 1 });

function sum(mask: Uint8Array): number {
  return mask.reduce((a, b) => a + b, 0);
}

function centroid(mask: Uint8Array): { x: number; y: number } {
  let sx = 0;
  let sy = 0;
  let n = 0;
  mask.forEach((v, i) => {
    if (!v) return;
    sx += i % SIZE;
    sy += Math.floor(i / SIZE);
    n++;
  });
  return { x: sx / n, y: sy / n };
}

describe('augmentExample', () => {
  it('returns the example unchanged with no augmentation', () => {
    const out = augmentExample(example, NO_AUGMENTATION, createRng(1));
    expect(out.image).toEqual(example.image);
    expect(out.od).toEqual(example.od);
    expect(out.fovea).toEqual(example.fovea);
  });

  it('mirrors image, masks and fovea together on a flip', () => {
    const flipOnly: AugmentConfig = { ...NO_AUGMENTATION, flip: 1 };
    const out = augmentExample(example, flipOnly, createRng(1));
    const c = centroid(out.od!);
    expect(c.x).toBeCloseTo(SIZE - 1 - 14, 0);
    expect(c.y).toBeCloseTo(20, 0);
    expect(out.fovea!.x).toBeCloseTo(SIZE - 1 - example.fovea!.x, 5);
    // The disc's bright pixels went where its mask went.
    const at = (x: number, y: number) => out.image[(y * SIZE + x) * 3]!;
    expect(at(SIZE - 1 - 14, 20)).toBe(250);
    expect(out.od![20 * SIZE + (SIZE - 1 - 14)]).toBe(1);
  });

  it('zooms out with a black border and keeps the disc inside the frame', () => {
    const zoomOut: AugmentConfig = { ...NO_AUGMENTATION, scale: [0.5, 0.5] };
    const out = augmentExample(example, zoomOut, createRng(1));
    expect(sum(out.od!)).toBeGreaterThan(0.15 * sum(example.od!));
    expect(sum(out.od!)).toBeLessThan(0.4 * sum(example.od!));
    expect(out.image.slice(0, 3 * SIZE)).toEqual(new Uint8Array(3 * SIZE)); // first row is border
  });

  it('changes colours per channel without moving anything, and keeps black black', () => {
    const withBorder = { ...example, image: example.image.map((v, i) => (i < 3 * SIZE ? 0 : v)) };
    const colourOnly: AugmentConfig = { ...NO_AUGMENTATION, channelGain: 0.15 };
    const ratios = new Set<string>();
    for (let seed = 0; seed < 5; seed++) {
      const out = augmentExample(withBorder, colourOnly, createRng(seed));
      expect(out.od).toEqual(example.od);
      expect(out.image.slice(0, 3 * SIZE)).toEqual(new Uint8Array(3 * SIZE));
      // Background pixel (170, 70, 40): each channel scaled by its own factor within ±15 %.
      const i = (40 * SIZE + 40) * 3;
      const gains = [out.image[i]! / 170, out.image[i + 1]! / 70, out.image[i + 2]! / 40];
      for (const g of gains) {
        expect(g).toBeGreaterThan(0.83);
        expect(g).toBeLessThan(1.17);
      }
      ratios.add(gains.map((g) => g.toFixed(2)).join(','));
    }
    expect(ratios.size).toBeGreaterThan(1);
  });

  it('blurs, sharpens or adds noise without moving anything, and noise keeps black black', () => {
    const withBorder = { ...example, image: example.image.map((v, i) => (i < 3 * SIZE ? 0 : v)) };
    const changed = (a: Uint8Array, b: Uint8Array) => a.some((v, i) => v !== b[i]);
    // The disc's edge (row 20, x from 0 to 27) shows which kind was drawn: blur lowers its
    // steepest step, sharpening raises it; noise alone leaves the step about the same.
    const edgeStep = (image: Uint8Array) => {
      let best = 0;
      for (let x = 1; x < 28; x++) best = Math.max(best, Math.abs(image[(20 * SIZE + x) * 3]! - image[(20 * SIZE + x - 1) * 3]!));
      return best;
    };
    const before = edgeStep(withBorder.image);
    const kinds = new Set<string>();
    for (const [name, config] of [
      ['blur', { ...NO_AUGMENTATION, blur: 0.1 }],
      ['sharpen', { ...NO_AUGMENTATION, sharpen: 1 }],
      ['noise', { ...NO_AUGMENTATION, noise: 0.05 }],
    ] as const) {
      for (let seed = 0; seed < 12; seed++) {
        const out = augmentExample(withBorder, config, createRng(seed));
        expect(out.od).toEqual(example.od);
        expect(out.oc).toEqual(example.oc);
        if (!changed(out.image, withBorder.image)) continue;
        if (name === 'noise') expect(out.image.slice(0, 3 * SIZE)).toEqual(new Uint8Array(3 * SIZE));
        const step = edgeStep(out.image);
        if (name === 'blur' && step < before * 0.8) kinds.add('blur');
        if (name === 'sharpen' && step > before * 1.1) kinds.add('sharpen');
        if (name === 'noise') kinds.add('noise');
      }
    }
    expect([...kinds].sort()).toEqual(['blur', 'noise', 'sharpen']);
  });

  it('brightens or dims the disc against the retina, leaving the retina far away, the black border and the masks alone', () => {
    const withBorder = { ...example, image: example.image.map((v, i) => (i < 3 * SIZE ? 0 : v)) };
    const dimmed = new Set<boolean>();
    for (let seed = 0; seed < 40; seed++) {
      const out = augmentExample(withBorder, { ...NO_AUGMENTATION, discBrightness: [0.75, 1.6] }, createRng(seed));
      expect(out.od).toEqual(example.od);
      expect(out.oc).toEqual(example.oc);
      expect(out.image.slice(0, 3 * SIZE)).toEqual(new Uint8Array(3 * SIZE));
      // The retina well away from the disc (centre 14, 20, radius 6) keeps its colour.
      expect(out.image[(40 * SIZE + 40) * 3 + 1]).toBe(70);
      // The rim's green channel (190, away from clipping) tells whether the disc was brightened or dimmed.
      const g = out.image[(20 * SIZE + 9) * 3 + 1]!;
      if (g !== 190) dimmed.add(g < 190);
    }
    // Half the draws leave the disc alone; of the rest, some are dimmer and some brighter.
    expect([...dimmed].sort()).toEqual([false, true]);
  });

  it('gives the same result for the same seed', () => {
    for (const config of [DOMAIN_AUGMENTATION, CAMERA_AUGMENTATION, DOMAIN_STACKED_AUGMENTATION, DISC_BRIGHTNESS_AUGMENTATION]) {
      const a = augmentExample(example, config, createRng(7));
      const b = augmentExample(example, config, createRng(7));
      expect(a.image).toEqual(b.image);
      expect(a.oc).toEqual(b.oc);
    }
  });
});
