// A child process for the fault suite's "kill -9 during saves" case: it opens
// a store on disk the way the app does and saves annotation revisions and
// approvals as fast as it can, printing one line per save only after the
// transaction has returned (the point the app would acknowledge it). The
// suite kills it with SIGKILL at a seeded random moment and checks that every
// printed save is in the reopened database, whole.
// Run: tsx test/faults/save-hammer.ts DB_FILE CASES
import { encodeLabelRuns } from '../../src-main/core/contract/label-map';
import { openCheckedStore } from '../../src-main/core/store/integrity';
import { openDatabase } from '../../src-main/platform/sqlite';

const [file, casesArg] = process.argv.slice(2);
const count = Number(casesArg ?? 4);
const W = 64;
const H = 48;
const { store } = openCheckedStore(file!, openDatabase);
if (!store.studies.get('s1')) {
  store.db.transaction(() => {
    store.studies.insert({ id: 's1', name: 'hammered', folder: '/hammer' });
    store.cases.insertMany(
      Array.from({ length: count }, (_, i) => ({ id: `c${i}`, studyId: 's1', file: `/hammer/c${i}.jpg`, name: `c${i}.jpg`, width: W, height: H, format: 'jpeg', eye: 'unknown' as const, patientId: null, problem: null })),
    );
  })();
}
process.stdout.write('ready\n');
for (let n = 0; ; n++) {
  const caseId = `c${n % count}`;
  // Each revision paints a disc whose size encodes n, so a torn row would not decode to its own n.
  const labels = new Uint8Array(W * H);
  const r = 4 + (n % 16);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if ((x - 32) ** 2 + (y - 24) ** 2 <= r * r) labels[y * W + x] = 1;
  const base = store.annotations.currentRevision(caseId);
  const revision = store.annotations.save(caseId, base, { labels: encodeLabelRuns(labels, W, H), fovea: { x: n % W, y: 5 }, vcdr: null, author: 'hammer', note: `save ${n}` }, 'corrected', 'edit');
  process.stdout.write(`save ${caseId} ${revision} ${n}\n`);
  const approved = store.cases.setStatus(caseId, 'approved', 'dr.hammer', null, {
    revision,
    modelId: 'm1',
    modelName: 'model',
    probability: 0.25,
    decision: 'normal',
    vcdr: 0.4,
    threshold: 0.5,
    rule: 'test',
    targetSpecificity: 0.9,
    uncertainty: 0.1,
    modelProbability: 0.3,
    modelVcdr: 0.45,
    referral: null,
    grade: null,
  });
  if (approved) process.stdout.write(`approve ${caseId} ${revision} ${n}\n`);
}
