// The implementation of every call of the contract, over the services built
// once at start-up (src-main/app/services.ts). Inputs arrive validated (see
// dispatch.ts); handlers throw ApiError / InputError, which dispatch turns
// into ApiErrorDto. The model's prediction and the expert's annotation are kept
// apart: no handler changes a prediction.
//
// Review status rules: saving an annotation makes the case 'corrected' (also
// an approved or ungradable one: what was approved has changed, so it needs
// approving again); setStatus sets any status and logs who, when and why.
import fs from 'node:fs';
import path from 'node:path';
import type { ImageCodec } from '../data/image-codec';
import { writeFileAtomic } from '../fs/atomic';
import type { FinetunePlanner } from '../jobs/finetune';
import type { JobManager } from '../jobs/manager';
import { buildCaseReport } from '../report/build';
import { renderCaseReport } from '../report/case-report';
import type { CaseListRow } from '../store/cases';
import type { JobRow } from '../store/jobs';
import { modelVersionDto } from '../store/models';
import type { ModelRegistry } from '../registry/model-registry';
import type { StudyRow } from '../store/studies';
import type { Store } from '../store/store';
import { assessCorrected, measurementsOfLabels, vcdrOfLabels, type Assessment, type AssessmentSource } from '../infer/assessment';
import type { DiscCupFeatures } from '../decision/features';
import { mediaPath, type CaseSummary, type Handlers, type Job, type LabelMapDto, type ReviewStatus, type StudySummary } from '../contract/contract';
import { ApiError, notFound } from '../contract/errors';
import type { AppEventSink } from '../contract/events';
import { exportCorrections } from './export-corrections';
import { importStudy } from './study-import';

/** Prints an HTML page to a PDF file (Electron's webContents.printToPDF); absent in the browser mode. */
export type PrintToPdf = (html: string, file: string) => Promise<void>;

export interface AppIdentity {
  readonly version: string;
  readonly userDataDir: string;
  /** Who the annotations and review events are recorded as. */
  readonly user: string;
  readonly shell: 'electron' | 'browser';
}

export interface HandlerServices {
  readonly store: Store;
  readonly registry: ModelRegistry;
  readonly jobs: JobManager;
  readonly finetune: FinetunePlanner;
  readonly codec: ImageCodec;
  readonly events: AppEventSink;
  readonly identity: AppIdentity;
  readonly printToPdf?: PrintToPdf;
  /** The OS folder picker (Electron); absent in the browser mode, where the user types a path. */
  readonly pickFolder?: () => Promise<string | null>;
}

/** Natural order of names: img2 before img10, case-insensitive. */
const byName = (a: string, b: string): number => a.localeCompare(b, undefined, { numeric: true, sensitivity: 'base' });

const STATUS_ORDER: Readonly<Record<ReviewStatus, number>> = { unreviewed: 0, corrected: 1, approved: 2, ungradable: 3 };

/** What the probability of an edited label map is computed with: the active model's decision rule (or regression) and its network score for the case. */
interface AssessContext {
  readonly activeId: string | null;
  readonly source: AssessmentSource;
}

const NO_MODEL: AssessmentSource = { vcdrRegression: null, decision: null };

export function createHandlers(s: HandlerServices): Handlers {
  const { store, registry, jobs } = s;

  const context = (): AssessContext => {
    const active = registry.active();
    if (!active) return { activeId: null, source: NO_MODEL };
    try {
      const manifest = registry.manifest(active);
      return { activeId: active.id, source: { vcdrRegression: manifest.vcdrRegression, decision: manifest.decision ?? null } };
    } catch {
      return { activeId: active.id, source: NO_MODEL };
    }
  };

  // Measurements of a corrected label map, by case and revision: a revision never changes, and the queue asks often.
  const measured = new Map<string, DiscCupFeatures | null>();
  const correctedMeasurements = (caseId: string, revision: number): DiscCupFeatures | null => {
    const key = `${caseId}:${revision}`;
    if (!measured.has(key)) {
      const row = store.annotations.revision(caseId, revision);
      measured.set(key, row ? measurementsOfLabels(row.labels) : null);
    }
    return measured.get(key)!;
  };

  /** The network's glaucoma score for a case, when the active model screened it. */
  const networkScore = (row: CaseListRow, ctx: AssessContext): number | null =>
    row.prediction && row.prediction.modelId === ctx.activeId ? row.prediction.network : null;

  const caseSummary = (row: CaseListRow, ctx: AssessContext): CaseSummary => ({
    id: row.id,
    studyId: row.studyId,
    name: row.name,
    file: row.file,
    width: row.width,
    height: row.height,
    eye: row.eye,
    patientId: row.patientId,
    status: row.status,
    problem: row.problem,
    prediction: row.prediction
      ? {
          modelId: row.prediction.modelId,
          probability: row.prediction.probability,
          decision: row.prediction.decision,
          vcdr: row.prediction.vcdr,
          uncertainty: row.prediction.uncertainty,
          withheld: row.prediction.withheld,
          gradable: row.prediction.gradable,
        }
      : null,
    corrected: row.annotation
      ? assessCorrected(ctx.source, networkScore(row, ctx), row.annotation.vcdr, ctx.source.decision ? correctedMeasurements(row.id, row.annotation.revision) : null)
      : null,
    updatedAt: row.updatedAt,
  });

  const summaryOf = (caseId: string): CaseSummary => {
    const ctx = context();
    const row = store.cases.listRow(caseId, ctx.activeId);
    if (!row) throw notFound('case', caseId);
    return caseSummary(row, ctx);
  };

  const studySummary = (study: StudyRow, activeId: string | null): StudySummary => ({
    id: study.id,
    name: study.name,
    folder: study.folder,
    createdAt: study.createdAt,
    ...store.studies.counts(study.id, activeId),
  });

  const jobDto = (job: JobRow): Job => store.jobs.dto(job);

  const requireCase = (caseId: string): NonNullable<ReturnType<Store['cases']['get']>> => {
    const row = store.cases.get(caseId);
    if (!row) throw notFound('case', caseId);
    return row;
  };

  /** A label map must have the image's size: masks are stored at original resolution. */
  const checkLabelSize = (caseRow: { width: number | null; height: number | null; name: string; problem: string | null }, labels: LabelMapDto): void => {
    if (caseRow.width === null || caseRow.height === null) {
      throw new ApiError('invalid-input', `${caseRow.name} could not be read${caseRow.problem ? ` (${caseRow.problem})` : ''}, so it cannot be annotated`);
    }
    if (caseRow.width !== null && caseRow.height !== null && (labels.width !== caseRow.width || labels.height !== caseRow.height)) {
      throw new ApiError('invalid-input', `the label map is ${labels.width}x${labels.height} but ${caseRow.name} is ${caseRow.width}x${caseRow.height}`);
    }
  };

  const assess = (caseId: string, labels: LabelMapDto): Assessment => {
    const ctx = context();
    const row = store.cases.listRow(caseId, ctx.activeId);
    if (!row) throw notFound('case', caseId);
    checkLabelSize(row, labels);
    return assessCorrected(ctx.source, networkScore(row, ctx), vcdrOfLabels(labels), measurementsOfLabels(labels));
  };

  const compareCases = (sort: 'probability' | 'vcdr' | 'uncertainty' | 'status' | 'name', order: 'asc' | 'desc') => {
    const key = (c: CaseSummary): number | string | null => {
      switch (sort) {
        case 'probability':
          return c.prediction?.probability ?? null;
        case 'vcdr':
          return c.prediction?.vcdr ?? null;
        case 'uncertainty':
          return c.prediction?.uncertainty ?? null;
        case 'status':
          return STATUS_ORDER[c.status];
        case 'name':
          return c.name;
      }
    };
    const sign = order === 'asc' ? 1 : -1;
    return (a: CaseSummary, b: CaseSummary): number => {
      const ka = key(a);
      const kb = key(b);
      // Cases without a value (not screened, no disc) go last in either order.
      if (ka === null || kb === null) return ka === kb ? byName(a.name, b.name) : ka === null ? 1 : -1;
      if (typeof ka === 'string' && typeof kb === 'string') return sign * byName(ka, kb) || byName(a.name, b.name);
      if (ka < kb) return -sign;
      if (ka > kb) return sign;
      return byName(a.name, b.name);
    };
  };

  const handlers: Handlers = {
    'app.info': () => {
      const active = registry.active();
      return {
        version: s.identity.version,
        userDataDir: s.identity.userDataDir,
        backend: jobs.backend ? { ...jobs.backend, skipped: [...jobs.backend.skipped] } : null,
        activeModel: active ? modelVersionDto(active) : null,
        user: s.identity.user,
        shell: s.identity.shell,
      };
    },

    'studies.list': () => {
      const activeId = registry.active()?.id ?? null;
      return store.studies.list().map((study) => studySummary(study, activeId));
    },

    'studies.import': async ({ folder, name }) => {
      const { studyId, problems } = await importStudy({ store, codec: s.codec }, folder, name);
      s.events.emit({ type: 'study', studyId });
      return { study: studySummary(store.studies.get(studyId)!, registry.active()?.id ?? null), problems };
    },

    'studies.pickFolder': async () => ({ folder: s.pickFolder ? await s.pickFolder() : null }),

    'studies.remove': ({ studyId }) => {
      for (const job of store.jobs.pending('screen', studyId)) jobs.cancel(job.id);
      const heatmaps = store.predictions.heatmapFilesOfStudy(studyId);
      const removed = store.studies.remove(studyId);
      if (removed) {
        // The rows are gone in one transaction; their heat-map files follow (best effort: a leftover file is harmless).
        for (const file of heatmaps) fs.rmSync(file, { force: true });
        s.events.emit({ type: 'study', studyId });
      }
      return { removed };
    },

    'screening.start': ({ studyId, rescreen }) => ({ job: jobDto(jobs.enqueueScreening(studyId, rescreen ?? false)) }),

    'cases.list': ({ studyId, sort, order, status }) => {
      if (!store.studies.get(studyId)) throw notFound('study', studyId);
      const ctx = context();
      const rows = store.cases.listRows(studyId, ctx.activeId).filter((r) => status === undefined || r.status === status);
      return rows.map((r) => caseSummary(r, ctx)).sort(compareCases(sort, order));
    },

    'cases.get': ({ caseId }) => {
      const summary = summaryOf(caseId);
      const activeId = registry.active()?.id ?? null;
      const prediction = store.predictions.shown(caseId, activeId);
      const annotation = store.annotations.current(caseId);
      const heatmap = (task: 'od' | 'oc' | 'fovea'): string | null => (prediction?.heatmaps[task] ? mediaPath.heatmap(caseId, task, prediction.modelId) : null);
      return {
        summary,
        prediction: prediction?.summary ?? null,
        predictedLabels: prediction?.labels ?? null,
        annotation: annotation ? { revision: annotation.revision, labels: annotation.labels, fovea: annotation.fovea, author: annotation.author, at: annotation.at } : null,
        history: store.annotations.history(caseId),
        media: { image: mediaPath.image(caseId), heatmapOd: heatmap('od'), heatmapOc: heatmap('oc'), heatmapFovea: heatmap('fovea') },
      };
    },

    'cases.saveAnnotation': ({ caseId, baseRevision, labels, fovea, note }) => {
      const row = requireCase(caseId);
      checkLabelSize(row, labels);
      if (fovea && row.width !== null && row.height !== null && (fovea.x < 0 || fovea.y < 0 || fovea.x > row.width - 1 || fovea.y > row.height - 1)) {
        throw new ApiError('invalid-input', `the fovea (${fovea.x}, ${fovea.y}) lies outside the ${row.width}x${row.height} image`);
      }
      const revision = store.annotations.save(
        caseId,
        baseRevision,
        { labels, fovea, vcdr: vcdrOfLabels(labels), author: s.identity.user, note },
        'corrected',
        note ? `edited: ${note}` : 'edited',
      );
      s.events.emit({ type: 'case', caseId, studyId: row.studyId });
      return { revision, summary: summaryOf(caseId) };
    },

    'cases.setStatus': ({ caseId, status, reason }) => {
      const row = requireCase(caseId);
      if (store.cases.setStatus(caseId, status, s.identity.user, reason ?? null)) s.events.emit({ type: 'case', caseId, studyId: row.studyId });
      return { summary: summaryOf(caseId) };
    },

    'cases.assess': ({ caseId, labels }) => assess(caseId, labels),

    'jobs.list': () => store.jobs.list().map(jobDto),
    'jobs.cancel': ({ jobId }) => ({ job: jobDto(jobs.cancel(jobId)) }),
    'jobs.resume': ({ jobId }) => ({ job: jobDto(jobs.resume(jobId)) }),

    'models.list': () => registry.list().map(modelVersionDto),

    'models.activate': ({ modelId }) => {
      const model = registry.activate(modelId);
      s.events.emit({ type: 'models' });
      return { model: modelVersionDto(model) };
    },

    'finetune.preview': () => s.finetune.preview(),

    'finetune.start': async ({ epochs, learningRate }) => {
      const pending = store.jobs.pending('finetune');
      if (pending.length > 0) throw new ApiError('conflict', `a fine-tune is already ${pending[0]!.status}: "${pending[0]!.title}"`);
      const prepared = await s.finetune.prepare({ epochs, learningRate });
      return { job: jobDto(jobs.enqueueFinetune(prepared.jobId, prepared.record, prepared.title)) };
    },

    'export.corrections': ({ studyId, folder, formats }) => exportCorrections({ store, codec: s.codec }, studyId, folder, formats),

    'export.report': async ({ caseId, format, folder }) => {
      const row = requireCase(caseId);
      if (format === 'pdf' && !s.printToPdf) {
        throw new ApiError('invalid-input', 'PDF reports need the desktop app, which prints through its own Chromium; choose HTML here (a browser can print the HTML page to PDF)');
      }
      const data = await buildCaseReport({ store, registry, codec: s.codec, appVersion: s.identity.version }, caseId);
      const html = renderCaseReport(data);
      const stem = row.name.slice(0, row.name.length - path.extname(row.name).length).replace(/[\\/]/g, '_');
      const file = path.join(path.resolve(folder), `${stem}-report.${format}`);
      if (format === 'pdf') await s.printToPdf!(html, file);
      else writeFileAtomic(file, html);
      return { file };
    },
  };
  return handlers;
}
