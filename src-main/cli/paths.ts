// Where the installed program's own files are: the bundled default model in
// resources/, found from this file whether it runs from source or from the bundle.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        if ((JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'glaucoma-studio') return dir;
      } catch {
        /* keep looking */
      }
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the glaucoma-studio package folder');
    dir = up;
  }
}

/** The default model shipped in resources/model (overridable with GLAUCOMA_STUDIO_MODEL). */
export function defaultModelDir(): string {
  return process.env.GLAUCOMA_STUDIO_MODEL ?? path.join(packageRoot(), 'resources', 'model');
}
