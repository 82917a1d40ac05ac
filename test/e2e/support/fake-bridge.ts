// FAKE BACKEND FOR UI DEVELOPMENT ONLY. It answers a subset of the contract
// from memory (import lists a folder, "screening" draws a circle, fine-tuning
// invents curves) so the renderer could be built and screenshotted before the
// real bridge (src-main/app/serve.ts) existed. The e2e suite runs against the
// real bridge; this fake is used only when E2E_BACKEND=fake is set, to work
// on the UI without TensorFlow. Nothing here is a reference for behaviour.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { AppEvent, CaseDetail, CaseSummary, Job, Method, ModelVersion, StudySummary } from '../../../src-main/core/contract/contract';
import { decodeLabelRuns, encodeLabelRuns } from '../../../src-main/core/contract/label-map';
import { createSharpCodec } from '../../../src-main/platform/sharp-codec';
import sharp from 'sharp';

/** The brightest blob of a photograph (where a disc usually is), in image pixels: good enough for a fake. */
async function brightestSpot(file: string, width: number, height: number): Promise<{ x: number; y: number }> {
  const side = 64;
  const { data, info } = await sharp(file).resize(side, side, { fit: 'fill' }).greyscale().blur(2).raw().toBuffer({ resolveWithObject: true });
  let best = 0;
  for (let i = 1; i < info.width * info.height; i++) if (data[i]! > data[best]!) best = i;
  return { x: (((best % info.width) + 0.5) / info.width) * width, y: ((Math.floor(best / info.width) + 0.5) / info.height) * height };
}

interface FakeCase {
  summary: CaseSummary;
  detail: Omit<CaseDetail, 'summary'>;
}

export interface RunningBackend {
  readonly url: string;
  readonly token: string;
  stop(): Promise<void>;
  /** What the back end wrote to stderr so far (for failure reports). */
  log(): string;
}

const now = () => new Date().toISOString();
const id = () => crypto.randomBytes(6).toString('hex');

function discLabels(width: number, height: number, cx: number, cy: number, r: number, cupRatio: number): Uint8Array {
  const labels = new Uint8Array(width * height);
  for (let y = Math.max(0, Math.floor(cy - r)); y < Math.min(height, Math.ceil(cy + r)); y++) {
    for (let x = Math.max(0, Math.floor(cx - r)); x < Math.min(width, Math.ceil(cx + r)); x++) {
      const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
      if (d <= r) labels[y * width + x] = d <= r * cupRatio ? 2 : 1;
    }
  }
  return labels;
}

function vcdrOf(labels: Uint8Array, width: number): number | null {
  const disc = new Int32Array(width);
  const cup = new Int32Array(width);
  for (let i = 0; i < labels.length; i++) {
    if (labels[i]) disc[i % width]!++;
    if (labels[i] === 2) cup[i % width]!++;
  }
  const d = Math.max(...disc);
  return d === 0 ? null : Math.max(...cup) / d;
}

const probabilityFromVcdr = (v: number | null) => (v === null ? null : 1 / (1 + Math.exp(-(v - 0.55) * 14)));

export async function startFakeBridge(rendererDir: string): Promise<RunningBackend> {
  const codec = createSharpCodec();
  const token = crypto.randomBytes(16).toString('hex');
  const studies = new Map<string, StudySummary>();
  const cases = new Map<string, FakeCase>();
  const jobs = new Map<string, Job>();
  const base: ModelVersion = {
    id: 'bundled-1',
    name: 'REFUGE baseline',
    parentId: null,
    createdAt: '2024-01-01T00:00:00.000Z',
    active: true,
    bundled: true,
    trainedTasks: ['glaucoma', 'od', 'oc', 'fovea'],
    metrics: { odDice: 0.93, ocDice: 0.84, vcdrMae: 0.061, auc: 0.91 },
    metricsNote: 'REFUGE validation, 400 images',
    provenance: { kind: 'bundled' },
    comparison: null,
    decision: 'measurements logistic rule; operating point: threshold 0.5 at target specificity 0.85',
    dataCard: { source: 'REFUGE 2018 training set', licence: 'research use', intendedUse: 'research', images: 400 },
  };
  const models: ModelVersion[] = [base];
  const clients = new Set<http.ServerResponse>();
  const emit = (event: AppEvent) => {
    for (const c of clients) c.write(`data: ${JSON.stringify(event)}\n\n`);
  };

  const refreshStudy = (studyId: string) => {
    const s = studies.get(studyId)!;
    const list = [...cases.values()].filter((c) => c.summary.studyId === studyId).map((c) => c.summary);
    const byStatus = { unreviewed: 0, corrected: 0, approved: 0, ungradable: 0 };
    for (const c of list) byStatus[c.status]++;
    studies.set(studyId, {
      ...s,
      images: list.length,
      screened: list.filter((c) => c.prediction).length,
      failed: list.filter((c) => c.problem).length,
      byStatus,
      suspects: list.filter((c) => c.prediction?.decision === 'glaucoma').length,
    });
  };

  const updateJob = (job: Job, patch: Partial<Job>) => {
    const next = { ...job, ...patch, updatedAt: now() };
    jobs.set(job.id, next);
    emit({ type: 'job', job: next });
    return next;
  };

  const screen = (studyId: string): Job => {
    const todo = [...cases.values()].filter((c) => c.summary.studyId === studyId && !c.summary.problem && !c.summary.prediction);
    let job: Job = {
      id: id(),
      kind: 'screen',
      status: 'running',
      studyId,
      title: `Screening ${studies.get(studyId)!.name}`,
      createdAt: now(),
      updatedAt: now(),
      progress: { done: 0, total: todo.length, etaS: todo.length * 0.6, message: 'starting' },
      epochs: [],
      error: null,
      resultModelId: null,
      problems: [],
    };
    jobs.set(job.id, job);
    let k = 0;
    const step = async () => {
      if (jobs.get(job.id)!.status !== 'running') return;
      if (k >= todo.length) {
        job = updateJob(job, { status: 'done', progress: { ...job.progress, done: k, etaS: 0, message: 'done' } });
        return;
      }
      const c = todo[k++]!;
      const w = c.summary.width!;
      const h = c.summary.height!;
      const seed = parseInt(crypto.createHash('md5').update(c.summary.name).digest('hex').slice(0, 6), 16) / 0xffffff;
      const spot = await brightestSpot(c.summary.file, w, h);
      const labels = discLabels(w, h, spot.x, spot.y, Math.max(w, h) * 0.045, 0.35 + seed * 0.4);
      const vcdr = vcdrOf(labels, w);
      const probability = probabilityFromVcdr(vcdr) ?? 0;
      const decision = probability >= 0.5 ? 'glaucoma' : 'normal';
      c.summary = { ...c.summary, prediction: { modelId: base.id, modelName: base.name, fromActiveModel: true, probability, decision, vcdr, uncertainty: Math.round(seed * 100) / 400, threshold: 0.5, withheld: null, gradable: true }, updatedAt: now() };
      c.detail = {
        ...c.detail,
        prediction: {
          width: w,
          height: h,
          glaucoma: { network: probability, vcdrRegression: probability, probability, decision },
          vcdr,
          disc: { found: true, areaPx: 0, verticalDiameterPx: 0, box: null },
          cup: { found: true, areaPx: 0, verticalDiameterPx: 0, box: null },
          fovea: { x: w * 0.36, y: h * 0.52 },
          uncertainty: seed / 4,
          tasks: ['glaucoma', 'od', 'oc', 'fovea'],
          warnings: [],
        },
        predictedLabels: encodeLabelRuns(labels, w, h),
      };
      refreshStudy(studyId);
      emit({ type: 'case', caseId: c.summary.id, studyId });
      job = updateJob(job, { progress: { done: k, total: todo.length, etaS: (todo.length - k) * 0.6, message: c.summary.name } });
      setTimeout(() => void step(), 250);
    };
    setTimeout(() => void step(), 100);
    return job;
  };

  const handlers: { [M in Method]?: (input: Record<string, unknown>) => Promise<unknown> | unknown } = {
    'app.info': () => ({
      version: '0.1.0',
      userDataDir: '/tmp/fake',
      backend: { name: 'cpu', device: 'fake backend (UI development)', tfjsVersion: '4.22.0', skipped: [] },
      activeModel: models.find((m) => m.active) ?? null,
      user: 'dr.fake',
      shell: 'browser',
    }),
    'studies.list': () => [...studies.values()],
    'studies.pickFolder': () => ({ folder: null }),
    'studies.import': async ({ folder, name }) => {
      const dir = String(folder);
      if (!fs.existsSync(dir)) throw Object.assign(new Error(`${dir}: folder not found`), { code: 'input-error', file: dir });
      const studyId = id();
      const study: StudySummary = { id: studyId, name: String(name ?? path.basename(dir)), folder: dir, createdAt: now(), images: 0, screened: 0, screenedByOther: 0, failed: 0, byStatus: { unreviewed: 0, corrected: 0, approved: 0, ungradable: 0 }, suspects: 0 };
      studies.set(studyId, study);
      const problems: { file: string; problem: string }[] = [];
      for (const file of fs.readdirSync(dir).sort()) {
        const full = path.join(dir, file);
        let size: { width: number; height: number } | null = null;
        let problem: string | null = null;
        try {
          size = await codec.probe(full);
          await codec.readRgb(full);
        } catch (error) {
          problem = error instanceof Error ? error.message : String(error);
          problems.push({ file, problem });
        }
        const summary: CaseSummary = {
          id: id(),
          studyId,
          name: file,
          file: full,
          width: size?.width ?? null,
          height: size?.height ?? null,
          eye: 'unknown',
          patientId: null,
          status: 'unreviewed',
          problem,
          prediction: null,
          corrected: null,
          approval: null,
          sinceApproval: null,
          call: null,
          updatedAt: now(),
        };
        cases.set(summary.id, { summary, detail: { prediction: null, predictedLabels: null, annotation: null, history: [], audit: [], media: { image: `/media/case/${summary.id}/image`, heatmapOd: null, heatmapOc: null, heatmapFovea: null } } });
      }
      refreshStudy(studyId);
      return { study: studies.get(studyId)!, problems };
    },
    'studies.remove': ({ studyId }) => ({ removed: studies.delete(String(studyId)) }),
    'screening.start': ({ studyId }) => ({ job: screen(String(studyId)) }),
    'cases.list': ({ studyId }) => [...cases.values()].filter((c) => c.summary.studyId === studyId).map((c) => c.summary),
    'cases.get': ({ caseId }) => {
      const c = cases.get(String(caseId));
      if (!c) throw Object.assign(new Error(`case ${caseId} not found`), { code: 'not-found' });
      return { summary: c.summary, ...c.detail };
    },
    'cases.assess': ({ labels }) => {
      const map = labels as { width: number; height: number; runs: number[] };
      const vcdr = vcdrOf(decodeLabelRuns(map), map.width);
      const probability = probabilityFromVcdr(vcdr);
      return { vcdr, probability, decision: probability === null ? null : probability >= 0.5 ? 'glaucoma' : 'normal' };
    },
    'cases.saveAnnotation': ({ caseId, baseRevision, labels, fovea, note }) => {
      const c = cases.get(String(caseId))!;
      const current = c.detail.annotation?.revision ?? 0;
      if (baseRevision !== current) throw Object.assign(new Error(`stale revision ${String(baseRevision)} (current ${current})`), { code: 'conflict' });
      const revision = current + 1;
      const map = labels as { width: number; height: number; runs: number[] };
      const vcdr = vcdrOf(decodeLabelRuns(map), map.width);
      const probability = probabilityFromVcdr(vcdr);
      c.detail = {
        ...c.detail,
        annotation: { revision, labels: map, fovea: fovea as { x: number; y: number } | null, author: 'dr.fake', at: now() },
        history: [...c.detail.history, { revision, author: 'dr.fake', at: now(), note: String(note) }],
      };
      c.summary = { ...c.summary, status: c.summary.status === 'unreviewed' ? 'corrected' : c.summary.status, corrected: { vcdr, probability, decision: probability === null ? null : probability >= 0.5 ? 'glaucoma' : 'normal' }, updatedAt: now() };
      refreshStudy(c.summary.studyId);
      return { revision, summary: c.summary };
    },
    'cases.setStatus': ({ caseId, status }) => {
      const c = cases.get(String(caseId))!;
      c.summary = { ...c.summary, status: status as CaseSummary['status'], updatedAt: now() };
      refreshStudy(c.summary.studyId);
      return { summary: c.summary };
    },
    // The fake keeps the call and the eye; it signs no approval record (the real bridge does).
    'cases.setCall': ({ caseId, referral, referralReason, grade, notes, eye, patientId }) => {
      const c = cases.get(String(caseId))!;
      const was = c.summary.call ?? { referral: null, referralReason: null, grade: null, notes: '', author: 'dr.fake', at: now() };
      const call = {
        referral: referral === undefined ? was.referral : (referral as NonNullable<CaseSummary['call']>['referral']),
        referralReason: referralReason === undefined ? was.referralReason : (referralReason as string | null),
        grade: grade === undefined ? was.grade : (grade as NonNullable<CaseSummary['call']>['grade']),
        notes: notes === undefined ? was.notes : String(notes),
        author: 'dr.fake',
        at: now(),
      };
      c.summary = {
        ...c.summary,
        call,
        eye: eye === undefined ? c.summary.eye : (eye as CaseSummary['eye']),
        patientId: patientId === undefined ? c.summary.patientId : (patientId as string | null),
        updatedAt: now(),
      };
      return { summary: c.summary };
    },
    'export.casesCsv': ({ studyId, folder }) => ({ file: path.join(String(folder), 'cases.csv'), rows: [...cases.values()].filter((c) => c.summary.studyId === studyId).length }),
    'export.studyReport': ({ folder }) => ({ file: path.join(String(folder), 'study-report.html') }),
    'settings.operatingPoint': () => ({ targetSpecificity: null, updatedBy: null, updatedAt: null, model: null, packageDefault: null, inUse: null, choices: [], unavailable: 'the fake back end has no decision model', fieldOfView: null, history: [] }),
    'jobs.list': () => [...jobs.values()],
    'jobs.cancel': ({ jobId }) => ({ job: updateJob(jobs.get(String(jobId))!, { status: 'cancelled' }) }),
    'jobs.resume': ({ jobId }) => {
      const job = jobs.get(String(jobId))!;
      return { job: job.kind === 'screen' ? screen(job.studyId!) : job };
    },
    'models.list': () => models,
    'models.activate': ({ modelId }) => {
      for (let i = 0; i < models.length; i++) models[i] = { ...models[i]!, active: models[i]!.id === modelId };
      emit({ type: 'models' });
      return { model: models.find((m) => m.id === modelId)! };
    },
    'finetune.preview': () => {
      const approved = [...cases.values()].filter((c) => c.summary.status === 'approved').length;
      return { approved, training: Math.ceil(approved * 0.8), validation: Math.floor(approved * 0.2), earlier: 0, minimum: 1, heldBackMinimum: 5 };
    },
    'finetune.start': ({ epochs }) => {
      const total = Number(epochs ?? 8);
      const parent = models.find((m) => m.active)!;
      let job: Job = {
        id: id(),
        kind: 'finetune',
        status: 'running',
        studyId: null,
        title: `Fine-tuning ${parent.name}`,
        createdAt: now(),
        updatedAt: now(),
        progress: { done: 0, total, etaS: total * 0.3, message: 'starting' },
        epochs: [],
        error: null,
        resultModelId: null,
        problems: [],
      };
      jobs.set(job.id, job);
      let e = 0;
      const tick = () => {
        e++;
        const epochs = [...job.epochs, { epoch: e, losses: { od: 0.4 / e + 0.05, oc: 0.6 / e + 0.08, fovea: 0.2 / e + 0.02 }, validation: { odDice: 0.9 + 0.004 * e, ocDice: 0.8 + 0.006 * e } }];
        if (e < total) {
          job = updateJob(job, { epochs, progress: { done: e, total, etaS: (total - e) * 0.3, message: `epoch ${e} of ${total}` } });
          setTimeout(tick, 300);
          return;
        }
        const model: ModelVersion = { ...parent, id: id(), name: `${parent.name} + ${e} epochs`, parentId: parent.id, createdAt: now(), active: false, bundled: false, metrics: { odDice: 0.95, ocDice: 0.86, vcdrMae: 0.052, auc: 0.92 }, metricsNote: 'held-back corrections', provenance: { kind: 'fine-tuned', corrections: 4, heldBack: 1 } };
        models.push(model);
        emit({ type: 'models' });
        job = updateJob(job, { epochs, status: 'done', resultModelId: model.id, progress: { done: e, total, etaS: 0, message: 'done' } });
      };
      setTimeout(tick, 300);
      return { job };
    },
    'export.corrections': ({ folder }) => ({ folder: String(folder), written: 0 }),
    'export.report': ({ folder }) => ({ file: path.join(String(folder), 'report.html') }),
  };

  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      if (url.pathname.startsWith('/api/') && req.method === 'POST') {
        if (req.headers.authorization !== `Bearer ${token}`) return send(res, 401, { error: { message: 'bad token', code: 'invalid-input' } });
        const method = url.pathname.slice(5) as Method;
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
        const handler = handlers[method];
        if (!handler) return send(res, 404, { error: { message: `unknown call ${method}`, code: 'not-found' } });
        try {
          return send(res, 200, await handler(input));
        } catch (error) {
          const e = error as Error & { code?: string; file?: string };
          return send(res, e.code === 'conflict' ? 409 : 400, { error: { message: e.message, code: e.code ?? 'internal', ...(e.file ? { file: e.file } : {}) } });
        }
      }
      if (url.searchParams.get('token') !== token && (url.pathname.startsWith('/media/') || url.pathname === '/events')) {
        res.writeHead(401).end();
        return;
      }
      if (url.pathname === '/events') {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
        res.write(': connected\n\n');
        clients.add(res);
        req.on('close', () => clients.delete(res));
        return;
      }
      const media = /^\/media\/case\/([^/]+)\/image$/.exec(url.pathname);
      if (media) {
        const c = cases.get(decodeURIComponent(media[1]!));
        if (!c) return void res.writeHead(404).end();
        res.writeHead(200, { 'content-type': c.summary.file.endsWith('.png') ? 'image/png' : 'image/jpeg' });
        res.end(fs.readFileSync(c.summary.file));
        return;
      }
      const file = path.join(rendererDir, url.pathname === '/' ? 'index.html' : path.normalize(url.pathname).replace(/^(\.\.[/\\])+/, ''));
      if (file.startsWith(rendererDir) && fs.existsSync(file) && fs.statSync(file).isFile()) {
        const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };
        res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
        res.end(fs.readFileSync(file));
        return;
      }
      res.writeHead(404).end();
    } catch (error) {
      send(res, 500, { error: { message: String(error), code: 'internal' } });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    token,
    log: () => '',
    stop: () =>
      new Promise<void>((resolve) => {
        for (const c of clients) c.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
