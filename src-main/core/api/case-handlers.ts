// Cases under review: the queue of a study, one case with its prediction and
// annotation history, saving the expert's label map as a new revision, the
// review status, and the live assessment of a label map being edited.
//
// Review status rules: saving an annotation makes the case 'corrected' (also
// an approved or ungradable one: what was approved has changed, so it needs
// approving again); setStatus sets any status and logs who, when and why;
// approving stores the signed record of what was approved (case-summaries.ts
// approvalOf), which no later model, re-screen or rollback changes. setCall
// records the clinician's own call, the eye and the patient id.
// Every change is in the case's audit trail (store/audit.ts).
import { vcdrOfLabels } from '../infer/assessment';
import { mediaPath, type Handlers } from '../contract/contract';
import { ApiError, notFound } from '../contract/errors';
import type { Store } from '../store/store';
import { checkLabelSize, type CaseSummaries } from './case-summaries';
import type { HandlerServices } from './handler-services';

type CaseMethods = 'cases.list' | 'cases.get' | 'cases.revision' | 'cases.saveAnnotation' | 'cases.setStatus' | 'cases.setCall' | 'cases.assess';

/** Natural order of names: img2 before img10, case-insensitive. */
const byName = (a: string, b: string): number => a.localeCompare(b, undefined, { numeric: true, sensitivity: 'base' });

export function caseHandlers(services: HandlerServices, summaries: CaseSummaries): Pick<Handlers, CaseMethods> {
  const { store, registry, events, identity } = services;

  const requireCase = (caseId: string): NonNullable<ReturnType<Store['cases']['get']>> => {
    const row = store.cases.get(caseId);
    if (!row) throw notFound('case', caseId);
    return row;
  };

  return {
    // In natural name order; the review queue sorts and filters them itself.
    'cases.list': ({ studyId, status }) => {
      if (!store.studies.get(studyId)) throw notFound('study', studyId);
      const ctx = summaries.context();
      const rows = store.cases.listRows(studyId, ctx.activeId).filter((r) => status === undefined || r.status === status);
      return rows.map((r) => summaries.summary(r, ctx)).sort((a, b) => byName(a.name, b.name));
    },

    'cases.get': ({ caseId }) => {
      const summary = summaries.of(caseId);
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
        audit: store.audit.list(caseId),
        media: { image: mediaPath.image(caseId), heatmapOd: heatmap('od'), heatmapOc: heatmap('oc'), heatmapFovea: heatmap('fovea') },
      };
    },

    'cases.revision': ({ caseId, revision }) => {
      requireCase(caseId);
      const found = store.annotations.revision(caseId, revision);
      if (!found) throw notFound('revision', `${caseId}#${revision}`);
      return { revision: found.revision, labels: found.labels, fovea: found.fovea, author: found.author, at: found.at, note: found.note };
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
        { labels, fovea, vcdr: vcdrOfLabels(labels), author: identity.user, note },
        'corrected',
        note ? `edited: ${note}` : 'edited',
      );
      events.emit({ type: 'case', caseId, studyId: row.studyId });
      return { revision, summary: summaries.of(caseId) };
    },

    'cases.setStatus': ({ caseId, status, reason }) => {
      const row = requireCase(caseId);
      const changed = store.transaction(() =>
        store.cases.setStatus(caseId, status, identity.user, reason ?? null, status === 'approved' && row.status !== 'approved' ? summaries.approvalOf(caseId) : undefined),
      );
      if (changed) events.emit({ type: 'case', caseId, studyId: row.studyId });
      return { summary: summaries.of(caseId) };
    },

    'cases.setCall': ({ caseId, referral, referralReason, grade, notes, eye, patientId }) => {
      const row = requireCase(caseId);
      const changed = store.transaction(() => {
        const identityChanged = store.cases.setIdentity(caseId, { ...(eye !== undefined ? { eye } : {}), ...(patientId !== undefined ? { patientId } : {}) }, identity.user);
        const call = {
          ...(referral !== undefined ? { referral } : {}),
          ...(referralReason !== undefined ? { referralReason } : {}),
          ...(grade !== undefined ? { grade } : {}),
          ...(notes !== undefined ? { notes } : {}),
        };
        const callChanged = store.calls.set(caseId, call, identity.user);
        if (callChanged && !identityChanged) store.cases.touch(caseId);
        return identityChanged || callChanged;
      });
      if (changed) events.emit({ type: 'case', caseId, studyId: row.studyId });
      return { summary: summaries.of(caseId) };
    },

    'cases.assess': ({ caseId, labels }) => summaries.assess(caseId, labels),
  };
}
