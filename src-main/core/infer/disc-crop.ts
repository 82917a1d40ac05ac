// Where the second stage looks: a square around the disc the first stage found
// (at training time: the ground-truth disc), its side a multiple of the disc's
// larger extent, never smaller than a fraction of the image. Not clamped to the
// image: a disc at the edge stays centred and the crop is padded with black.
import type { SquareCrop } from '../geometry/crop';
import { boundingBox } from '../masks';
import type { NetworkInput } from '../model/package';
import type { BinaryMask, Size } from '../types';

export function discRegion(od: BinaryMask, input: Extract<NetworkInput, { kind: 'disc-crop' }>, original: Size): SquareCrop | null {
  const box = boundingBox(od);
  if (!box) return null;
  const extent = Math.max(box.x1 - box.x0, box.y1 - box.y0);
  const side = Math.max(8, Math.round(Math.max(extent * input.cropScale, input.minSideFraction * Math.max(original.width, original.height))));
  // The crop's centre pixel x0 + (side - 1) / 2 lands on the box centre (to the nearest pixel).
  const cx = (box.x0 + box.x1 - 1) / 2;
  const cy = (box.y0 + box.y1 - 1) / 2;
  return { x0: Math.round(cx - (side - 1) / 2), y0: Math.round(cy - (side - 1) / 2), side };
}
