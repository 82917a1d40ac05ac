// electron-builder `beforePack` hook (electron-builder.yml): rebuilds the one
// native module tied to Node's ABI, better-sqlite3, for the Electron version,
// platform and architecture being packed, before electron-builder copies
// node_modules. electron-builder's own rebuild (npmRebuild) is off because it
// rebuilds every native module: it would re-download or recompile
// @tensorflow/tfjs-node(-gpu), which are N-API (one binary for Node and every
// Electron) and are set up offline by scripts/native-tf.mjs; the GPU package
// cannot be compiled at all on a machine without CUDA. sharp ships N-API
// prebuilt packages (@img/*) and needs nothing either.
//
// Afterwards node_modules/better-sqlite3 holds Electron's build: the CLI and
// the tests need Node's again (`npm rebuild better-sqlite3`).
import { rebuild } from '@electron/rebuild';

/** builder-util's Arch enum, by value. */
const ARCH_NAMES = ['ia32', 'x64', 'armv7l', 'arm64', 'universal'];

export default async function beforePack(context) {
  const arch = ARCH_NAMES[context.arch];
  if (arch === undefined) throw new Error(`beforePack: unknown architecture ${context.arch}`);
  // A universal macOS app is merged from the x64 and arm64 packs, each rebuilt on its own pass.
  if (arch === 'universal') return;
  const info = context.packager.info;
  const electronVersion = context.packager.config.electronVersion ?? info.framework.version;
  const platform = context.electronPlatformName === 'mas' ? 'darwin' : context.electronPlatformName;
  console.log(`  • rebuilding better-sqlite3 for Electron ${electronVersion} ${platform}-${arch}`);
  await rebuild({
    buildPath: info.appDir,
    projectRootPath: info.projectDir,
    electronVersion,
    arch,
    platform,
    onlyModules: ['better-sqlite3'],
    force: true,
    mode: 'sequential',
  });
}
