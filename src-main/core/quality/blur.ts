// Blur of an RGB image: the defocus, motion or low resolution of a poorer camera.
// The robustness benchmark applies it as a camera shift and training applies it
// as augmentation, so both describe the same blur by the same sigma.
import type { RgbImage } from '../types';

/** Separable box blur approximating a Gaussian of the given sigma (three passes). */
export function blur(image: RgbImage, sigma: number): RgbImage {
  if (sigma <= 0) return image;
  const r = Math.max(1, Math.round(Math.sqrt((12 * sigma * sigma) / 3 + 1) / 2));
  let data: Float32Array = Float32Array.from(image.data);
  const { width, height } = image;
  const pass = (src: Float32Array, horizontal: boolean): Float32Array => {
    const out = new Float32Array(src.length);
    const len = horizontal ? width : height;
    const lines = horizontal ? height : width;
    for (let l = 0; l < lines; l++) {
      for (let c = 0; c < 3; c++) {
        const at = (k: number): number => {
          const kk = Math.min(len - 1, Math.max(0, k));
          return src[((horizontal ? l * width + kk : kk * width + l) * 3) + c]!;
        };
        let acc = 0;
        for (let k = -r; k <= r; k++) acc += at(k);
        for (let k = 0; k < len; k++) {
          out[((horizontal ? l * width + k : k * width + l) * 3) + c] = acc / (2 * r + 1);
          acc += at(k + r + 1) - at(k - r);
        }
      }
    }
    return out;
  };
  for (let i = 0; i < 3; i++) data = pass(pass(data, true), false);
  return { width, height, data: Uint8Array.from(data, (v) => Math.max(0, Math.min(255, Math.round(v)))) };
}
