// Heat maps arrive as colour-mapped PNGs without alpha; the overlay makes low
// values transparent so the photograph stays readable under them. Pure.

/** Viridis runs from luminance ~30 (value 0) to ~215 (value 1); alpha = value, a little boosted, in place on RGBA. */
export function alphaFromLuminance(rgba: Uint8ClampedArray): void {
  for (let i = 0; i < rgba.length; i += 4) {
    const lum = 0.299 * rgba[i]! + 0.587 * rgba[i + 1]! + 0.114 * rgba[i + 2]!;
    const value = (lum - 30) / 185;
    rgba[i + 3] = Math.round(255 * Math.min(1, Math.max(0, value * 1.3)));
  }
}
