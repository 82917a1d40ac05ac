// Writing files for the user: a study's corrections in the REFUGE layout, and
// one case's report as HTML or (in the desktop app) PDF, and the per-case CSV
// with the model's and the clinician's decisions.
import path from 'node:path';
import type { Handlers } from '../contract/contract';
import { ApiError, notFound } from '../contract/errors';
import { writeFileAtomic } from '../fs/atomic';
import { buildCaseReport } from '../report/build';
import { renderCaseReport } from '../report/case-report';
import type { CaseSummaries } from './case-summaries';
import { exportCasesCsv } from './export-cases-csv';
import { exportCorrections } from './export-corrections';
import type { HandlerServices } from './handler-services';

type ExportMethods = 'export.corrections' | 'export.casesCsv' | 'export.report';

export function exportHandlers(services: HandlerServices, summaries: CaseSummaries): Pick<Handlers, ExportMethods> {
  const { store, registry, codec, identity, printToPdf } = services;
  return {
    'export.corrections': ({ studyId, folder, formats }) => exportCorrections({ store, codec }, studyId, folder, formats),

    'export.casesCsv': ({ studyId, folder }) => exportCasesCsv({ store, summaries }, studyId, folder),

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
