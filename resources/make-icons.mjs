#!/usr/bin/env node
// Renders resources/icon.svg into the PNG icons electron-builder.yml names:
//   resources/icon.png           512 x 512 (Windows .ico and the window icon in development)
//   resources/icons/NxN.png      16 ... 1024 (Linux icon set; 1024 for the macOS .icns)
// Run after editing the SVG: node resources/make-icons.mjs
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const here = path.dirname(fileURLToPath(import.meta.url));
const svg = fs.readFileSync(path.join(here, 'icon.svg'));
const SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];

async function render(size, file) {
  // Rasterise at the target size from the vector (density scales the 1024 viewBox), not by shrinking a bitmap.
  await sharp(svg, { density: Math.max(1, (72 * size) / 1024) })
    .resize(size, size)
    .png({ compressionLevel: 9 })
    .toFile(file);
}

fs.mkdirSync(path.join(here, 'icons'), { recursive: true });
await render(512, path.join(here, 'icon.png'));
for (const size of SIZES) await render(size, path.join(here, 'icons', `${size}x${size}.png`));
process.stdout.write(`wrote resources/icon.png and ${SIZES.length} sizes in resources/icons/\n`);
