// Where the packaged app finds what electron-builder.yml puts beside app.asar
// (extraResources): the bundled model. In development the same files are read
// from the project. test/app/packaging.test.ts ties these paths to the yml.
import path from 'node:path';

/** What bundledModelDir needs of Electron's app. */
export interface AppPaths {
  readonly isPackaged: boolean;
  getAppPath(): string;
}

/** <resources>/model when packaged (electron-builder copies resources/model there, outside app.asar); the project's resources/model otherwise. */
export function bundledModelDir(app: AppPaths, resourcesPath: string): string {
  return app.isPackaged ? path.join(resourcesPath, 'model') : path.join(app.getAppPath(), 'resources', 'model');
}
