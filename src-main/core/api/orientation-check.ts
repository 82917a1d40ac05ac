// The start-up check of cases imported before the EXIF orientation was
// applied (migration V4 lists them). Such a case stored the unrotated width
// and height, and its model results and masks were made on the unrotated
// pixels, while the app now shows the photograph turned as viewers do.
// - A case nobody worked on gets its oriented size; its model results, made
//   on the unrotated picture, are removed (the audit trail says so) so the
//   next screening makes them again.
// - A case with an annotation or an approval keeps everything as it was and
//   gets a problem note saying why: redrawing the expert's work is hers to do,
//   never the app's to change silently.
import fs from 'node:fs';
import { jpegExifOrientation } from '../data/exif-orientation';
import type { ImageCodec } from '../data/image-codec';
import type { Store } from '../store/store';

/** Bytes read for the EXIF tag: it sits in the APP1 segment near the start of a JPEG. */
const HEAD_BYTES = 256 * 1024;

export interface OrientationCheckResult {
  /** Cases whose stored size was the unrotated one and was corrected. */
  readonly fixed: number;
  /** Cases with the expert's work on the unrotated picture: a problem note, nothing changed. */
  readonly flagged: number;
  /** One line per outcome, for the start-up notes (empty when nothing was found). */
  readonly notes: readonly string[];
}

function readHead(file: string): Uint8Array | null {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const buffer = Buffer.alloc(HEAD_BYTES);
      const n = fs.readSync(fd, buffer, 0, HEAD_BYTES, 0);
      return buffer.subarray(0, n);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return null; // unreadable or gone: the import's own problem notes cover it
  }
}

export async function checkStoredOrientations(store: Store, codec: Pick<ImageCodec, 'probe'>, author = 'glaucoma-studio'): Promise<OrientationCheckResult> {
  const pending = store.db
    .prepare<[], { id: string; file: string; width: number | null; height: number | null }>(
      'SELECT c.id, c.file, c.width, c.height FROM orientation_pending p JOIN cases c ON c.id = p.case_id ORDER BY c.id',
    )
    .all();
  let fixed = 0;
  let flagged = 0;
  const done = store.db.prepare<[string]>('DELETE FROM orientation_pending WHERE case_id = ?');
  for (const c of pending) {
    const head = readHead(c.file);
    const orientation = head ? jpegExifOrientation(head) : 1;
    // Orientations 5-8 swap width and height; only those leave a stored size that tells the old rule apart.
    if (orientation < 5 || c.width === null || c.height === null) {
      done.run(c.id);
      continue;
    }
    let oriented;
    try {
      oriented = await codec.probe(c.file);
    } catch {
      done.run(c.id);
      continue;
    }
    const unrotated = c.width === oriented.height && c.height === oriented.width && c.width !== c.height;
    if (!unrotated) {
      done.run(c.id);
      continue;
    }
    store.db.transaction(() => {
      // Judged inside the transaction: the app is already answering calls, and a save may have come in during the probe.
      const now = store.cases.get(c.id);
      if (!now || now.width !== c.width || now.height !== c.height) return;
      const annotated = store.annotations.currentRevision(c.id) > 0;
      const approved = now.status === 'approved' || store.db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM approvals WHERE case_id = ?').get(c.id)!.n > 0;
      if (annotated || approved) {
        const work = annotated ? 'its annotations were drawn' : 'it was approved';
        store.cases.setProblem(
          c.id,
          `this photograph carries EXIF orientation ${orientation} and was imported before orientations were applied: ${work} on the unrotated picture (${c.width}x${c.height} px), ` +
            `which the app now shows turned (${oriented.width}x${oriented.height} px), so they no longer line up; nothing was changed — check the case and redraw it on the turned picture`,
          'import',
        );
        flagged++;
      } else {
        const removed = store.db.prepare<[string]>('DELETE FROM predictions WHERE case_id = ?').run(c.id).changes;
        store.db.prepare('UPDATE cases SET width = ?, height = ? WHERE id = ?').run(oriented.width, oriented.height, c.id);
        if (removed > 0) {
          store.audit.record(c.id, 'prediction', `${removed} model result(s) removed: made on the unrotated picture before EXIF orientation ${orientation} was applied; screen the study again`, author);
        }
        fixed++;
      }
    })();
    done.run(c.id);
  }
  const notes: string[] = [];
  if (fixed > 0) notes.push(`${fixed} case(s) imported before EXIF orientations were applied now have their turned size; their model results were removed, so screen their studies again`);
  if (flagged > 0) notes.push(`${flagged} case(s) imported before EXIF orientations were applied have annotations or approvals made on the unrotated picture; each has a problem note and was left as it was`);
  return { fixed, flagged, notes };
}
