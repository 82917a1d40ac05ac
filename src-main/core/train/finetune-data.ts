// Labelled images for a headless fine-tune (the CLI's `finetune`, the
// simulation and the speed benchmark) from any dataset the data specs open.
// A fine-tune reads REFUGE-convention masks (0 cup, 128 rim, 255 background):
// soft maps (Drishti-GS1) become one consensus mask per image, written under a
// folder of the run, so the parent dataset is only read, never written.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeBmpGrey } from '../data/bmp';
import type { ImageCodec } from '../data/image-codec';
import { readSampleMasks, type Sample } from '../data/sample';
import { InputError } from '../errors';
import { encodeRefugeMask } from '../masks/refuge-mask';
import type { LabelledImage } from './finetune-spec';

/** A file-name-safe form of a sample id (ids may hold slashes from nested folders). */
function safeName(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '_');
}

/**
 * The samples that carry at least one label, as fine-tuning images. Soft maps
 * are written once as consensus masks under `maskDir`; a sample whose masks
 * cannot be read is an error naming its file (a fine-tune on half the data
 * the user asked for would be silently wrong).
 */
export async function labelledImagesOf(samples: readonly Sample[], codec: ImageCodec, maskDir: string): Promise<LabelledImage[]> {
  const out: LabelledImage[] = [];
  for (const s of samples) {
    let mask: string | undefined;
    if (s.masks?.kind === 'refuge') mask = s.masks.file;
    else if (s.masks) {
      const { od, oc } = await readSampleMasks(s, codec);
      mask = path.join(maskDir, `${safeName(s.id)}.bmp`);
      fs.mkdirSync(maskDir, { recursive: true });
      writeBmpGrey(mask, encodeRefugeMask(od, oc));
    }
    if (mask === undefined && s.fovea === undefined && s.glaucoma === undefined) continue;
    out.push({ id: s.id, file: s.imageFile, ...(mask ? { mask } : {}), ...(s.fovea ? { fovea: s.fovea } : {}), ...(s.glaucoma !== undefined ? { glaucoma: s.glaucoma } : {}) });
  }
  return out;
}

/** A stable rank of an id under a seed: the same on every machine and run. */
function rank(seed: number, id: string): string {
  return crypto.createHash('sha256').update(`${seed}:${id}`).digest('hex');
}

/**
 * Holds back round(fraction x n) images for validation, chosen by a seeded hash
 * of their ids (not their order), so the same data and seed always hold back
 * the same images and a resumed run validates on what the first run did.
 */
export function holdBack<T extends { readonly id: string }>(images: readonly T[], fraction: number, seed: number): { train: T[]; validation: T[] } {
  if (!(fraction >= 0 && fraction < 1)) throw new InputError('--holdout-fraction', `must be at least 0 and below 1, got ${fraction}`);
  const k = Math.round(images.length * fraction);
  const held = new Set([...images].sort((a, b) => (rank(seed, a.id) < rank(seed, b.id) ? -1 : 1)).slice(0, k).map((i) => i.id));
  return { train: images.filter((i) => !held.has(i.id)), validation: images.filter((i) => held.has(i.id)) };
}
