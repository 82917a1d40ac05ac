// The implementation of every call of the contract, over the services built
// once at start-up (src-main/app/services.ts), put together from one unit per
// area: studies, cases, jobs and models, exports. Inputs arrive validated (see
// dispatch.ts); handlers throw ApiError / InputError, which dispatch turns
// into ApiErrorDto. The model's prediction and the expert's annotation are kept
// apart: no handler changes a prediction.
import type { Handlers } from '../contract/contract';
import { caseHandlers } from './case-handlers';
import { CaseSummaries } from './case-summaries';
import { exportHandlers } from './export-handlers';
import type { HandlerServices } from './handler-services';
import { jobHandlers } from './job-handlers';
import { OperatingPoints } from '../registry/operating-point';
import { settingsHandlers } from './settings-handlers';
import { studyHandlers } from './study-handlers';

export type { AppIdentity, HandlerServices, PrintToPdf } from './handler-services';

export function createHandlers(services: HandlerServices): Handlers {
  const { registry, jobs, identity } = services;
  const points = new OperatingPoints(services.store, registry);
  const summaries = new CaseSummaries(services.store, registry, points);
  return {
    'app.info': () => {
      const active = registry.active();
      return {
        version: identity.version,
        userDataDir: identity.userDataDir,
        backend: jobs.backend ? { ...jobs.backend, skipped: [...jobs.backend.skipped] } : null,
        activeModel: active ? registry.dto(active) : null,
        user: identity.user,
        shell: identity.shell,
      };
    },
    ...studyHandlers(services),
    ...caseHandlers(services, summaries),
    ...jobHandlers(services),
    ...settingsHandlers(services, points),
    ...exportHandlers(services, summaries, points),
  };
}
