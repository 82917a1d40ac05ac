// Builds the renderer once before the e2e files run (the bridge serves out/renderer).
import { build } from 'vite';
import { rendererConfig } from '../../../vite.renderer.config';

export default async function setup(): Promise<void> {
  if (process.env.E2E_SKIP_BUILD === '1') return;
  await build({ ...rendererConfig(), configFile: false, logLevel: 'warn' });
}
