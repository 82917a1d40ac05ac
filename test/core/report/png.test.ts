import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodePng } from '../../../src-main/core/report/png';
import { createSharpCodec } from '../../../src-main/platform/sharp-codec';

describe('encodePng', () => {
  it('writes grey and RGB PNGs that a real decoder reads back exactly', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-png-'));
    try {
      const codec = createSharpCodec();
      const grey = { width: 67, height: 65, data: Uint8Array.from({ length: 67 * 65 }, (_, i) => (i * 31) % 256) };
      const rgb = { width: 64, height: 66, data: Uint8Array.from({ length: 64 * 66 * 3 }, (_, i) => (i * 13 + (i >> 7)) % 256) };
      fs.writeFileSync(path.join(dir, 'grey.png'), encodePng(grey));
      fs.writeFileSync(path.join(dir, 'rgb.png'), encodePng(rgb, 1));
      expect([...(await codec.readGrey(path.join(dir, 'grey.png'))).data]).toEqual([...grey.data]);
      const back = await codec.readRgb(path.join(dir, 'rgb.png'));
      expect([back.width, back.height]).toEqual([64, 66]);
      expect(Buffer.from(back.data).equals(Buffer.from(rgb.data))).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses data that fits neither layout', () => {
    expect(() => encodePng({ width: 2, height: 2, data: new Uint8Array(5) })).toThrow(/fits neither 2x2 RGB nor grey/);
  });
});
