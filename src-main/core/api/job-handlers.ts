// Jobs, model versions (activate, import and export packages) and
// fine-tuning: what the job manager and the model registry offer the UI.
import type { Handlers } from '../contract/contract';
import { ApiError } from '../contract/errors';
import type { HandlerServices } from './handler-services';

type JobMethods =
  | 'jobs.list'
  | 'jobs.cancel'
  | 'jobs.resume'
  | 'models.list'
  | 'models.activate'
  | 'models.inspectPackage'
  | 'models.import'
  | 'models.export'
  | 'finetune.preview'
  | 'finetune.start';

export function jobHandlers(services: HandlerServices): Pick<Handlers, JobMethods> {
  const { store, registry, jobs, events, finetune, identity } = services;
  return {
    'jobs.list': () => store.jobs.list().map((job) => store.jobs.dto(job)),
    'jobs.cancel': ({ jobId }) => ({ job: store.jobs.dto(jobs.cancel(jobId)) }),
    'jobs.resume': ({ jobId }) => ({ job: store.jobs.dto(jobs.resume(jobId)) }),

    'models.list': () => registry.list().map((row) => registry.dto(row)),

    'models.activate': ({ modelId }) => {
      const model = registry.activate(modelId, identity.user);
      events.emit({ type: 'models' });
      return { model: registry.dto(model) };
    },

    'models.inspectPackage': ({ folder }) => registry.inspectPackage(folder),

    'models.import': async ({ folder, activate }) => {
      const imported = await registry.importPackage(folder);
      const model = activate ? registry.activate(imported.id) : imported;
      events.emit({ type: 'models' });
      return { model: registry.dto(model) };
    },

    'models.export': async ({ modelId, folder }) => ({ folder: await registry.exportPackage(modelId, folder) }),

    'finetune.preview': () => finetune.preview(),

    'finetune.start': async ({ epochs, learningRate }) => {
      const pending = store.jobs.pending('finetune');
      if (pending.length > 0) throw new ApiError('conflict', `a fine-tune is already ${pending[0]!.status}: "${pending[0]!.title}"`);
      const prepared = await finetune.prepare({ epochs, learningRate });
      return { job: store.jobs.dto(jobs.enqueueFinetune(prepared.jobId, prepared.record, prepared.title)) };
    },
  };
}
