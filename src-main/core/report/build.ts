// Gathers one case's report data from the store and the image: the expert's
// outlines (or the model's when there is no correction) drawn on the
// photograph, shrunk to REPORT_IMAGE_SIDE, as PNG.
import type { ImageCodec } from '../data/image-codec';
import { assessCorrected, measurementsOfLabels, type AssessmentSource } from '../infer/assessment';
import { decodeLabelRuns, masksFromLabels } from '../contract/label-map';
import { notFound } from '../contract/errors';
import { drawOverlayInPlace, downscaleForPreview } from '../render';
import type { ModelRegistry } from '../registry/model-registry';
import type { Store } from '../store/store';
import type { LabelMapDto } from '../contract/contract';
import type { Point } from '../types';
import { encodePng } from './png';
import type { CaseReportData } from './case-report';

export const REPORT_IMAGE_SIDE = 1024;

export interface ReportDeps {
  readonly store: Store;
  readonly registry: ModelRegistry;
  readonly codec: ImageCodec;
  readonly appVersion: string;
  readonly now?: () => string;
}

export async function buildCaseReport(deps: ReportDeps, caseId: string): Promise<CaseReportData> {
  const { store, registry, codec } = deps;
  const c = store.cases.get(caseId);
  if (!c) throw notFound('case', caseId);
  const study = store.studies.get(c.studyId);
  const active = registry.active();
  const prediction = store.predictions.shown(caseId, active?.id ?? null);
  const annotation = store.annotations.current(caseId);
  const modelRow = prediction ? store.models.get(prediction.modelId) : null;
  let source: AssessmentSource = { vcdrRegression: null, decision: null };
  let manifest = null;
  if (modelRow) {
    try {
      manifest = registry.manifest(modelRow);
      source = { vcdrRegression: manifest.vcdrRegression, decision: manifest.decision ?? null };
    } catch {
      manifest = null; // the package is gone: the stored prediction still reports
    }
  }

  const image = await codec.readRgb(c.file);
  let labels: LabelMapDto | null = null;
  let fovea: Point | null = null;
  let overlaySource: CaseReportData['overlaySource'] = 'none';
  if (annotation) {
    labels = annotation.labels;
    fovea = annotation.fovea;
    overlaySource = 'expert';
  } else if (prediction) {
    labels = prediction.labels;
    fovea = prediction.summary.fovea;
    overlaySource = 'model';
  }
  if (labels && (labels.width !== image.width || labels.height !== image.height)) {
    labels = null;
    overlaySource = 'none';
  }
  if (labels) {
    const { od, oc } = masksFromLabels(decodeLabelRuns(labels));
    drawOverlayInPlace(image, { od: { width: image.width, height: image.height, data: od }, oc: { width: image.width, height: image.height, data: oc }, fovea });
  } else if (fovea) {
    drawOverlayInPlace(image, { fovea });
  }
  const overlayPng = encodePng(downscaleForPreview(image, REPORT_IMAGE_SIDE), 6);

  const events = store.cases.reviewEvents(caseId);
  const last = events.at(-1) ?? null;
  const network = prediction?.summary.glaucoma.network ?? null;
  return {
    caseName: c.name,
    file: c.file,
    studyName: study?.name ?? '',
    eye: c.eye,
    patientId: c.patientId,
    width: c.width,
    height: c.height,
    overlayPng,
    overlaySource,
    model:
      prediction && modelRow
        ? {
            versionName: modelRow.name,
            versionId: modelRow.id,
            findings: {
              vcdr: prediction.summary.vcdr,
              probability: prediction.summary.glaucoma.probability,
              decision: prediction.summary.glaucoma.decision,
              network,
              vcdrRegression: prediction.summary.glaucoma.vcdrRegression,
              uncertainty: prediction.summary.uncertainty,
            },
            warnings: prediction.summary.warnings,
            intendedUse: modelRow.dataCard.intendedUse,
            dataSource: `${modelRow.dataCard.source} (${modelRow.dataCard.images} images)`,
            ...(modelRow.dataCard.notes ? { limitations: modelRow.dataCard.notes } : {}),
          }
        : null,
    expert: annotation
      ? { ...assessCorrected(source, network, annotation.vcdr, measurementsOfLabels(annotation.labels)), revision: annotation.revision, author: annotation.author, at: annotation.at }
      : null,
    review: { status: c.status, by: last?.author ?? null, at: last?.at ?? null, reason: last?.reason ?? null },
    approval: store.approvals.current(caseId),
    call: store.calls.get(caseId),
    generatedAt: (deps.now ?? (() => new Date().toISOString()))(),
    appVersion: deps.appVersion,
  };
}
