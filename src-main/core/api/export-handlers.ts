// Writing files for the user: a study's corrections in the REFUGE layout, and
// one case's report as HTML or (in the desktop app) PDF, and the per-case CSV
// with the model's and the clinician's decisions.
import path from 'node:path';
import type { Handlers } from '../contract/contract';
import { ApiError, notFound } from '../contract/errors';
import { writeFileAtomic } from '../fs/atomic';
import { buildCaseReport } from '../report/build';
import { renderCaseReport } from '../report/case-report';
import type { OperatingPoints } from '../registry/operating-point';
import type { CaseSummaries } from './case-summaries';
import { renderStudyReport } from '../report/study-report';
import { exportCasesCsv, studyCases } from './export-cases-csv';
import { exportCorrections } from './export-corrections';
import type { HandlerServices } from './handler-services';

type ExportMethods = 'export.corrections' | 'export.casesCsv' | 'export.studyReport' | 'export.report';

export function exportHandlers(services: HandlerServices, summaries: CaseSummaries, points: OperatingPoints): Pick<Handlers, ExportMethods> {
  const { store, registry, codec, identity, printToPdf } = services;
  return {
    'export.corrections': ({ studyId, folder, formats }) => exportCorrections({ store, codec }, studyId, folder, formats),

    'export.casesCsv': ({ studyId, folder }) => exportCasesCsv({ store, summaries }, studyId, folder),

    'export.studyReport': ({ studyId, folder }) => {
      const { study, cases, stem } = studyCases({ store, summaries }, studyId);
      const active = registry.active();
      const html = renderStudyReport({
        studyName: study.name,
        folder: study.folder,
        activeModel: active ? { id: active.id, name: active.name, limitations: active.dataCard.notes ?? null } : null,
        cases,
        operatingPoint: points.state(),
        generatedAt: new Date().toISOString(),
        appVersion: identity.version,
      });
      const file = path.join(path.resolve(folder), `${stem}-study-report.html`);
      writeFileAtomic(file, html);
      return { file };
    },

    'export.report': async ({ caseId, format, folder }) => {
      const row = store.cases.get(caseId);
      if (!row) throw notFound('case', caseId);
      if (format === 'pdf' && !printToPdf) {
        throw new ApiError('invalid-input', 'PDF reports need the desktop app, which prints through its own Chromium; choose HTML here (a browser can print the HTML page to PDF)');
      }
      const data = await buildCaseReport({ store, registry, codec, appVersion: identity.version }, caseId);
      const html = renderCaseReport(data);
      const stem = row.name.slice(0, row.name.length - path.extname(row.name).length).replace(/[\\/]/g, '_');
      const file = path.join(path.resolve(folder), `${stem}-report.${format}`);
      if (format === 'pdf') await printToPdf!(html, file);
      else writeFileAtomic(file, html);
      return { file };
    },
  };
}
