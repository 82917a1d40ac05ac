// Once before the e2e files: build the renderer (the bridge serves
// out/renderer) and make sure a model package exists for screening.
import { build } from 'vite';
import { rendererConfig } from '../../../vite.renderer.config';
import { useFakeBackend } from './backend';
import { prepareE2eModel } from './model';

export default async function setup(): Promise<void> {
  if (process.env.E2E_SKIP_BUILD !== '1') await build({ ...rendererConfig(), configFile: false, logLevel: 'warn' });
  if (!useFakeBackend) prepareE2eModel();
}
