// Studies: listing, importing a folder, removing one (its pending screening
// cancelled, its heat maps deleted), and screening it.
import fs from 'node:fs';
import type { Handlers, StudySummary } from '../contract/contract';
import type { StudyRow } from '../store/studies';
import type { HandlerServices } from './handler-services';
import { importStudy } from './study-import';

type StudyMethods = 'studies.list' | 'studies.import' | 'studies.pickFolder' | 'studies.remove' | 'screening.start';

export function studyHandlers(services: HandlerServices): Pick<Handlers, StudyMethods> {
  const { store, registry, jobs, events } = services;

  const studySummary = (study: StudyRow, activeId: string | null): StudySummary => ({
    id: study.id,
    name: study.name,
    folder: study.folder,
    createdAt: study.createdAt,
    ...store.studies.counts(study.id, activeId),
  });

  return {
    'studies.list': () => {
      const activeId = registry.active()?.id ?? null;
      return store.studies.list().map((study) => studySummary(study, activeId));
    },

    'studies.import': async ({ folder, name }) => {
      const { studyId, problems } = await importStudy({ store, codec: services.codec }, folder, name);
      events.emit({ type: 'study', studyId });
      return { study: studySummary(store.studies.get(studyId)!, registry.active()?.id ?? null), problems };
    },

    'studies.pickFolder': async () => ({ folder: services.pickFolder ? await services.pickFolder() : null }),

    'studies.remove': ({ studyId }) => {
      for (const job of store.jobs.pending('screen', studyId)) jobs.cancel(job.id);
      const heatmaps = store.predictions.heatmapFilesOfStudy(studyId);
      const removed = store.studies.remove(studyId);
      if (removed) {
        // The rows are gone in one transaction; their heat-map files follow (best effort: a leftover file is harmless).
        for (const file of heatmaps) fs.rmSync(file, { force: true });
        events.emit({ type: 'study', studyId });
      }
      return { removed };
    },

    'screening.start': ({ studyId, rescreen }) => ({ job: store.jobs.dto(jobs.enqueueScreening(studyId, rescreen ?? false)) }),
  };
}
