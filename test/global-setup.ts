// Builds the Node bundles (CLI, job process, bridge server) once per test run,
// so tests that fork the job process or run the CLI use the same files a user
// runs, without transpiling the sources in every child process.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export default async function setup(): Promise<void> {
  const { buildNode } = (await import(pathToFileURL(path.join(root, 'scripts', 'build-node.mjs')).href)) as { buildNode: (o: { quiet: boolean }) => Promise<void> };
  await buildNode({ quiet: true });
  process.env.GLAUCOMA_STUDIO_WORKER = path.join(root, 'out', 'node', 'worker.mjs');
}
