// Cases imported before the EXIF orientation was applied stored the unrotated
// size. Migration V4 lists them; the start-up check corrects a case nobody
// worked on (its model results, made on the unrotated pixels, removed) and
// gives a case with annotations a problem note instead of changing it. A later
// re-import never resizes an annotated case silently either.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkStoredOrientations } from '../../../src-main/core/api/orientation-check';
import { importStudy } from '../../../src-main/core/api/study-import';
import { openStore } from '../../../src-main/core/store';
import { MIGRATIONS } from '../../../src-main/core/store/migrations';
import { openDatabase } from '../../../src-main/platform/sqlite';
import { createSharpCodec } from '../../../src-main/platform/sharp-codec';
import { fundusLikeJpeg, rotatedJpeg } from '../../helpers/bad-images';
import { columnLabels, modelVersion, summary, tickingClock } from '../store/fixtures';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-orientation-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const codec = createSharpCodec();

describe('the start-up check of sizes stored before the EXIF orientation was applied', () => {
  it('fixes untouched cases, notes annotated ones without changing them, and leaves the rest', async () => {
    const folder = path.join(tmp, 'photos');
    fs.mkdirSync(folder);
    // Orientation 6: stored 320x200, shown 200x320.
    await rotatedJpeg(path.join(folder, 'untouched.jpg'), 320, 200);
    await rotatedJpeg(path.join(folder, 'annotated.jpg'), 320, 200);
    await rotatedJpeg(path.join(folder, 'later.jpg'), 320, 200);
    await fundusLikeJpeg(path.join(folder, 'plain.jpg'), 320, 200);
    const db = openDatabase(path.join(tmp, 'db.sqlite3'));
    const now = tickingClock();
    // A database of the app before V4, with cases as its import stored them.
    const old = openStore(db, { now, migrations: MIGRATIONS.slice(0, 3) });
    old.models.insert(modelVersion('m1'));
    old.db.transaction(() => {
      old.studies.insert({ id: 's1', name: 'clinic', folder });
      old.cases.insertMany([
        { id: 'c_untouched', studyId: 's1', file: path.join(folder, 'untouched.jpg'), name: 'untouched.jpg', width: 320, height: 200, format: 'jpeg', eye: 'unknown', patientId: null, problem: null },
        { id: 'c_annotated', studyId: 's1', file: path.join(folder, 'annotated.jpg'), name: 'annotated.jpg', width: 320, height: 200, format: 'jpeg', eye: 'unknown', patientId: null, problem: null },
        // Imported once the rule was in place: its size is already the turned one.
        { id: 'c_later', studyId: 's1', file: path.join(folder, 'later.jpg'), name: 'later.jpg', width: 200, height: 320, format: 'jpeg', eye: 'unknown', patientId: null, problem: null },
        { id: 'c_plain', studyId: 's1', file: path.join(folder, 'plain.jpg'), name: 'plain.jpg', width: 320, height: 200, format: 'jpeg', eye: 'unknown', patientId: null, problem: null },
      ]);
    })();
    const heatmaps = { od: null, oc: null, fovea: null };
    old.predictions.upsert({ caseId: 'c_untouched', modelId: 'm1', jobId: null, summary: summary(0.4, 0.5), labels: columnLabels(320, 200, [10, 60], [20, 40]), heatmaps });
    old.predictions.upsert({ caseId: 'c_annotated', modelId: 'm1', jobId: null, summary: summary(0.4, 0.5), labels: columnLabels(320, 200, [10, 60], [20, 40]), heatmaps });
    old.predictions.upsert({ caseId: 'c_plain', modelId: 'm1', jobId: null, summary: summary(0.4, 0.5), labels: columnLabels(320, 200, [10, 60], [20, 40]), heatmaps });
    const drawn = columnLabels(320, 200, [5, 90], [30, 50]);
    old.annotations.save('c_annotated', 0, { labels: drawn, fovea: { x: 100, y: 50 }, vcdr: 0.3, author: 'dr.a', note: 'drawn' }, 'corrected', 'edit');

    const store = openStore(db, { now }); // the upgrade to V4 lists the cases to check
    const result = await checkStoredOrientations(store, codec, 'dr.start');
    expect(result).toMatchObject({ fixed: 1, flagged: 1 });
    expect(result.notes).toHaveLength(2);

    const untouched = store.cases.get('c_untouched')!;
    expect([untouched.width, untouched.height, untouched.problem]).toEqual([200, 320, null]);
    expect(store.db.prepare("SELECT COUNT(*) AS n FROM predictions WHERE case_id = 'c_untouched'").get()).toEqual({ n: 0 });
    expect(store.audit.list('c_untouched').map((e) => e.detail).join()).toMatch(/removed: made on the unrotated picture before EXIF orientation 6/);

    const annotated = store.cases.get('c_annotated')!;
    expect([annotated.width, annotated.height]).toEqual([320, 200]);
    expect(annotated.problem).toMatch(/EXIF orientation 6 .*annotations were drawn on the unrotated picture \(320x200 px\).*nothing was changed/);
    expect(store.annotations.current('c_annotated')!.labels).toEqual(drawn);
    expect(store.db.prepare("SELECT COUNT(*) AS n FROM predictions WHERE case_id = 'c_annotated'").get()).toEqual({ n: 1 });

    expect(store.cases.get('c_later')).toMatchObject({ width: 200, height: 320, problem: null });
    expect(store.cases.get('c_plain')).toMatchObject({ width: 320, height: 200, problem: null });
    expect(store.db.prepare("SELECT COUNT(*) AS n FROM predictions WHERE case_id = 'c_plain'").get()).toEqual({ n: 1 });
    // Checked once: nothing left to check at the next start.
    expect(await checkStoredOrientations(store, codec)).toEqual({ fixed: 0, flagged: 0, notes: [] });

    // A re-import reads the turned size; the annotated case keeps the size its annotations were drawn at, with a note.
    await importStudy({ store, codec }, folder);
    const again = store.cases.get('c_annotated')!;
    expect([again.width, again.height]).toEqual([320, 200]);
    expect(again.problem).toMatch(/now 200x320 px but its annotations were drawn on it at 320x200 px/);
    expect(store.cases.get('c_untouched')).toMatchObject({ width: 200, height: 320, problem: null });
    store.close();
  });
});
