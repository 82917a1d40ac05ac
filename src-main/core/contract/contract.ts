// The one typed contract between the renderer and the main process. Every call
// has an input schema (validated in main before a handler sees it) and an
// output schema (the type the renderer gets). Electron's IPC carries it in the
// app; the local bridge (127.0.0.1 + token) carries the same calls to the same
// handlers in tests and the browser mode. The renderer's API type is derived
// from this file, never written again by hand.
//
// Adding a call: add an entry to `contract` (input + output schema), implement
// it in handlers.ts (the compiler lists what is missing), use it in the renderer
// as `api['name'](input)` (one function per call, derived from this file).
import { z } from 'zod';
import { BackendInfoSchema } from '../backend';
import { TASKS, THRESHOLD_RULES } from '../types';

// ---------- shared value schemas ----------

const Id = z.string().min(1).max(64);
const PointSchema = z.object({ x: z.number().finite(), y: z.number().finite() });
export type PointDto = z.infer<typeof PointSchema>;

/**
 * Points cross the contract in the core's pixel convention: image pixels with
 * pixel centres at integers (pixel (i, j)'s centre is (i, j)), as the CSVs,
 * the model's fovea and the fine-tune targets use. The renderer draws in
 * continuous coordinates (pixel (i, j) covers [i, i+1) x [j, j+1), centre
 * (i + 0.5, j + 0.5)); these two functions are the only conversion between them.
 */
export function pointToDisplay(p: PointDto): PointDto {
  return { x: p.x + 0.5, y: p.y + 0.5 };
}

/** The inverse of pointToDisplay: a point drawn or placed in the renderer, in the contract's convention. */
export function pointFromDisplay(p: PointDto): PointDto {
  return { x: p.x - 0.5, y: p.y - 0.5 };
}

export const TaskSchema = z.enum(TASKS);

/**
 * A label map of an image, run-length encoded in raster order: 0 background,
 * 1 disc rim, 2 cup (the cup lies inside the disc). `runs` alternates value and
 * run length: [v0, n0, v1, n1, ...], sum of lengths = width * height. Compact
 * for masks (a few thousand numbers at 2000x2000) and exact both ways.
 */
export const LabelMapSchema = z
  .object({
    width: z.number().int().positive().max(20_000),
    height: z.number().int().positive().max(20_000),
    runs: z.array(z.number().int().nonnegative()).max(4_000_000),
  })
  .refine((m) => m.runs.length % 2 === 0, 'runs must alternate value and length')
  .refine((m) => m.runs.every((v, i) => i % 2 === 1 || v <= 2), 'label values must be 0, 1 or 2')
  .refine((m) => m.runs.reduce((n, v, i) => (i % 2 === 1 ? n + v : n), 0) === m.width * m.height, 'run lengths must cover the image exactly');
export type LabelMapDto = z.infer<typeof LabelMapSchema>;

export const ReviewStatusSchema = z.enum(['unreviewed', 'corrected', 'approved', 'ungradable']);
export type ReviewStatus = z.infer<typeof ReviewStatusSchema>;

export const EyeSchema = z.enum(['left', 'right', 'unknown']);

/**
 * Why a photograph cannot be graded (the image-quality gate, core/quality). An
 * ungradable photograph gets no glaucoma decision anywhere: "ungradable — retake".
 */
export const QUALITY_REASONS = ['no-fundus-field', 'under-exposed', 'over-exposed', 'out-of-focus', 'disc-not-found', 'too-uncertain'] as const;
export const QualityReasonSchema = z.enum(QUALITY_REASONS);
export type QualityReason = z.infer<typeof QualityReasonSchema>;

export const QUALITY_MESSAGES: Readonly<Record<QualityReason, string>> = {
  'no-fundus-field': 'no colour fundus field in the picture',
  'under-exposed': 'under-exposed (too dark to grade)',
  'over-exposed': 'over-exposed (washed out)',
  'out-of-focus': 'out of focus',
  'disc-not-found': 'optic disc not found',
  'too-uncertain': 'the model is too uncertain (its two passes disagree)',
};

export const QualitySchema = z.object({
  gradable: z.boolean(),
  /** Empty when gradable. */
  reasons: z.array(QualityReasonSchema),
  /** What the gate measured on the photograph (core/quality ImageMeasures); null when it was not measured. */
  measures: z.record(z.string(), z.number()).nullable(),
});
export type QualityDto = z.infer<typeof QualitySchema>;

/** One line for CSVs, reports and the queue: "gradable" or "ungradable: out of focus; optic disc not found". */
export function describeQuality(q: { readonly gradable: boolean; readonly reasons: readonly QualityReason[] }): string {
  return q.gradable ? 'gradable' : `ungradable: ${q.reasons.map((r) => QUALITY_MESSAGES[r]).join('; ')}`;
}

export const GlaucomaScoresSchema = z.object({
  /** The network's fully connected branch, or null if the model was not trained for glaucoma. */
  network: z.number().nullable(),
  /** Logistic regression on the predicted vCDR, or null without a fitted regression or a disc. */
  vcdrRegression: z.number().nullable(),
  /** The fused score (infer/assessment.ts); null when the model has neither a glaucoma head nor a vCDR regression with a disc found. */
  probability: z.number().nullable(),
  /** probability >= the decision threshold; null with no probability or an ungradable photograph. */
  decision: z.enum(['glaucoma', 'normal']).nullable(),
  /** Which rule made the probability: a decision model's id ('measurements', 'vcdr'...) or 'paper' (absent in older results: 'paper'). */
  rule: z.string().optional(),
  /** The operating point: glaucoma when probability >= threshold (absent in older results: 0.5). */
  threshold: z.number().optional(),
  /** The specificity the threshold was fitted for on cross-validated cases; null for the paper's fixed 0.5. */
  targetSpecificity: z.number().nullable().optional(),
  /** Why no decision was made although there is a probability (ungradable, outside the validated field of view); null when decided. */
  withheld: z.string().nullable().optional(),
});

export const StructureSummarySchema = z.object({
  /** Whether a component survived thresholding and the largest-component step. */
  found: z.boolean(),
  areaPx: z.number(),
  /** Vertical diameter by the REFUGE rule: the most mask pixels in any one column. */
  verticalDiameterPx: z.number(),
  /** Bounding box in original pixels: x0, y0 inclusive; x1, y1 exclusive. */
  box: z.object({ x0: z.number(), y0: z.number(), x1: z.number(), y1: z.number() }).nullable(),
});

/** Scalar results of one image: JSON-safe, stored in SQLite, written to CSVs; infer/types.ts PredictionSummary is this type. */
export const PredictionSummarySchema = z.object({
  width: z.number().int(),
  height: z.number().int(),
  glaucoma: GlaucomaScoresSchema,
  /** Vertical cup-to-disc ratio (REFUGE rule), null when no disc was found. */
  vcdr: z.number().nullable(),
  disc: StructureSummarySchema,
  cup: StructureSummarySchema,
  /** Fovea in original pixels; null when the model was not trained for it. */
  fovea: PointSchema.nullable(),
  /** Disagreement between test-time augmentations (0 = identical, 1 = disjoint), null when TTA was not run. Used to sort the review queue. */
  uncertainty: z.number().nullable(),
  /** Tasks the model was trained on (others are absent from the result). */
  tasks: z.array(TaskSchema),
  /** The image-quality gate's verdict (absent in results made before the gate existed). */
  quality: QualitySchema.optional(),
  /** Problems worth telling the user that did not stop the prediction. */
  warnings: z.array(z.string()),
});
export type PredictionSummaryDto = z.infer<typeof PredictionSummarySchema>;

export { BackendInfoSchema };

/** The clinician's referral decision for a case. */
export const ReferralSchema = z.enum(['refer', 'no-referral', 'ungradable']);
export type Referral = z.infer<typeof ReferralSchema>;

/** The expert's glaucoma grade of an eye (what fine-tuning can learn the glaucoma decision from). */
export const GradeSchema = z.enum(['glaucoma', 'normal', 'suspect']);
export type Grade = z.infer<typeof GradeSchema>;

const DecisionSchema = z.enum(['glaucoma', 'normal']);

/**
 * What a clinician signed when she approved a case: the assessment as it was
 * shown then, with the model that made it and its operating point. Stored once,
 * never changed; a later model shows beside it, never instead of it.
 */
export const ApprovalSchema = z.object({
  reviewer: z.string(),
  at: z.string(),
  /** The annotation revision approved; null when the model's output was approved as it was. */
  revision: z.number().int().nullable(),
  /** The model whose assessment was signed (its decision rule for a corrected case); null when no model had assessed it. */
  modelId: z.string().nullable(),
  modelName: z.string().nullable(),
  probability: z.number().nullable(),
  decision: DecisionSchema.nullable(),
  vcdr: z.number().nullable(),
  /** The operating point: glaucoma when probability >= threshold. */
  threshold: z.number().nullable(),
  rule: z.string().nullable(),
  targetSpecificity: z.number().nullable(),
  uncertainty: z.number().nullable(),
  /** The model's own output at approval, before the expert's corrections. */
  modelProbability: z.number().nullable(),
  modelVcdr: z.number().nullable(),
  /** The clinician's call when she approved. */
  referral: ReferralSchema.nullable(),
  grade: GradeSchema.nullable(),
});
export type ApprovalDto = z.infer<typeof ApprovalSchema>;

/** The clinician's own call on a case: referral (with the reason when ungradable), glaucoma grade and notes. */
export const ClinicianCallSchema = z.object({
  referral: ReferralSchema.nullable(),
  referralReason: z.string().nullable(),
  grade: GradeSchema.nullable(),
  notes: z.string(),
  author: z.string(),
  at: z.string(),
});
export type ClinicianCallDto = z.infer<typeof ClinicianCallSchema>;

export const AUDIT_KINDS = ['status', 'approved', 'unapproved', 'annotation', 'referral', 'grade', 'notes', 'eye', 'patient', 'prediction', 'model', 'operating-point'] as const;
export const AuditKindSchema = z.enum(AUDIT_KINDS);
export type AuditKind = z.infer<typeof AuditKindSchema>;

/** One entry of a case's audit trail: every change of its status or assessment, who made it and when. */
export const AuditEventSchema = z.object({ id: z.number().int(), kind: AuditKindSchema, detail: z.string(), author: z.string(), at: z.string() });
export type AuditEventDto = z.infer<typeof AuditEventSchema>;

/** An estimate with its 95 % interval. */
export const IntervalSchema = z.object({ value: z.number(), low: z.number(), high: z.number() });

/**
 * An operating point of a decision model: glaucoma when probability >= threshold,
 * fitted for a target specificity on the package's cross-validated (out-of-fold)
 * cases, with the sensitivity and specificity expected there (95 % Wilson intervals).
 */
export const OperatingPointSchema = z.object({
  targetSpecificity: z.number(),
  threshold: z.number(),
  /** How the threshold was set (absent from a package fitted before the rule was recorded: 'lowest-passing'). */
  rule: z.enum(THRESHOLD_RULES).optional(),
  sensitivity: IntervalSchema,
  specificity: IntervalSchema,
});
export type OperatingPointDto = z.infer<typeof OperatingPointSchema>;

/** The lowest and highest target specificity the app accepts: outside, a handful of cross-validated cases decide the threshold. */
export const TARGET_SPECIFICITY_RANGE = { min: 0.5, max: 0.99 } as const;

/** A target specificity as the setting takes it (any value in the range: a package's own default need not have two decimals). */
export const TargetSpecificitySchema = z
  .number({ message: 'the target specificity must be a number' })
  .min(TARGET_SPECIFICITY_RANGE.min, `the target specificity must be between ${TARGET_SPECIFICITY_RANGE.min} and ${TARGET_SPECIFICITY_RANGE.max}`)
  .max(TARGET_SPECIFICITY_RANGE.max, `the target specificity must be between ${TARGET_SPECIFICITY_RANGE.min} and ${TARGET_SPECIFICITY_RANGE.max}`);

/**
 * The app's operating point: one target specificity for every study and every
 * screening (a programme sets one), turned into each model's threshold from its
 * stored ROC evidence; the figures are the active model's.
 */
export const OperatingPointSettingSchema = z.object({
  /** The setting; null: each model's own stored operating point (its package default). */
  targetSpecificity: z.number().nullable(),
  /** Who set it and when; null while it was never set. */
  updatedBy: z.string().nullable(),
  updatedAt: z.string().nullable(),
  /** The active model the figures below are for. */
  model: z.object({ id: z.string(), name: z.string() }).nullable(),
  /** The target specificity stored with the active model's decision model. */
  packageDefault: z.number().nullable(),
  /** Where the active model decides now. */
  inUse: OperatingPointSchema.nullable(),
  /** What the reader can choose, each with its threshold and expected figures; empty when unavailable. */
  choices: z.array(OperatingPointSchema.extend({ packageDefault: z.boolean() })),
  /** Why the operating point cannot be chosen (no model, or a model without ROC evidence); null when it can. */
  unavailable: z.string().nullable(),
  /**
   * The disc sizes (disc diameter / the image's shorter side) the active model decides on, elsewhere it withholds
   * its decision; `evidence` says in words how they were set (measured, or its decision's own cases' span). Null
   * without a check.
   */
  fieldOfView: z.object({ low: z.number(), high: z.number(), evidence: z.string() }).nullable(),
  /** Every change of the setting, newest first, with the old and new values. */
  history: z.array(z.object({ detail: z.string(), author: z.string(), at: z.string() })),
});
export type OperatingPointSetting = z.infer<typeof OperatingPointSettingSchema>;

export const StudySummarySchema = z.object({
  id: Id,
  name: z.string(),
  folder: z.string(),
  createdAt: z.string(),
  images: z.number().int(),
  /** Images with a prediction from the active model. */
  screened: z.number().int(),
  /** Images whose only predictions come from other (older) model versions: re-screening gives them the active model's. */
  screenedByOther: z.number().int(),
  /** Images the reader could not use (corrupt, unsupported...). */
  failed: z.number().int(),
  byStatus: z.record(ReviewStatusSchema, z.number().int()),
  /** Screened images whose decision is glaucoma. */
  suspects: z.number().int(),
});
export type StudySummary = z.infer<typeof StudySummarySchema>;

export const CaseSummarySchema = z.object({
  id: Id,
  studyId: Id,
  /** File name as shown to the user. */
  name: z.string(),
  file: z.string(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  eye: EyeSchema,
  patientId: z.string().nullable(),
  status: ReviewStatusSchema,
  /** The per-file problem when the image could not be read or screened. */
  problem: z.string().nullable(),
  prediction: z
    .object({
      modelId: z.string(),
      /** The model version's name, so every number says which model produced it. */
      modelName: z.string(),
      /** Whether the active model made this prediction (else an older version did; re-screening replaces it). */
      fromActiveModel: z.boolean(),
      probability: z.number().nullable(),
      decision: z.enum(['glaucoma', 'normal']).nullable(),
      vcdr: z.number().nullable(),
      uncertainty: z.number().nullable(),
      /** The operating point the decision was made at (glaucoma when probability >= threshold); null for results stored before it was (0.5). */
      threshold: z.number().nullable(),
      /** Why the model made no decision (ungradable: retake; outside its validated field of view); null when it decided. */
      withheld: z.string().nullable(),
      /** The image-quality gate's verdict; null for predictions made before the gate existed. */
      gradable: z.boolean().nullable(),
    })
    .nullable(),
  /** vCDR and decision of the expert's current annotation, when there is one. */
  corrected: z.object({ vcdr: z.number().nullable(), probability: z.number().nullable(), decision: z.enum(['glaucoma', 'normal']).nullable() }).nullable(),
  /** The signed record while the case is approved: what the queue and the case show, whatever model is active now. */
  approval: ApprovalSchema.nullable(),
  /** "Model changed since approval": what the current model says now, when it differs from the signed record; null otherwise. */
  sinceApproval: z
    .object({ modelId: z.string().nullable(), modelName: z.string().nullable(), probability: z.number().nullable(), decision: DecisionSchema.nullable(), vcdr: z.number().nullable() })
    .nullable(),
  /**
   * The operating point of the current (unsigned) decision: of the prediction, or for a corrected case the active
   * model's at the app's setting; expected figures from the deciding model's ROC evidence (null without it). Null when
   * nothing decides; the app always sends it (optional only for hand-made summaries in tests).
   */
  operatingPoint: z
    .object({ targetSpecificity: z.number().nullable(), threshold: z.number(), sensitivity: IntervalSchema.nullable(), specificity: IntervalSchema.nullable() })
    .nullable()
    .optional(),
  /** The clinician's own call; null until she makes one. */
  call: ClinicianCallSchema.nullable(),
  updatedAt: z.string(),
});
export type CaseSummary = z.infer<typeof CaseSummarySchema>;

export const AnnotationRevisionSchema = z.object({
  revision: z.number().int(),
  author: z.string(),
  at: z.string(),
  /** What changed, in words ("brush on cup", "moved fovea", "reverted to the model's output"). */
  note: z.string(),
});

export const CaseDetailSchema = z.object({
  summary: CaseSummarySchema,
  prediction: PredictionSummarySchema.nullable(),
  /** The model's original output as a label map; null when not screened. */
  predictedLabels: LabelMapSchema.nullable(),
  /** The expert's current version; null until the first edit. */
  annotation: z
    .object({
      revision: z.number().int(),
      labels: LabelMapSchema,
      fovea: PointSchema.nullable(),
      author: z.string(),
      at: z.string(),
    })
    .nullable(),
  history: z.array(AnnotationRevisionSchema),
  /** Every change of the case's status or assessment, oldest first. */
  audit: z.array(AuditEventSchema),
  /** Paths for mediaUrl(): the image, and the model's heat maps when there are any. */
  media: z.object({ image: z.string(), heatmapOd: z.string().nullable(), heatmapOc: z.string().nullable(), heatmapFovea: z.string().nullable() }),
});
export type CaseDetail = z.infer<typeof CaseDetailSchema>;

export const JobKindSchema = z.enum(['screen', 'finetune']);
export const JobStatusSchema = z.enum(['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted']);
export type JobStatus = z.infer<typeof JobStatusSchema>;

export const EpochPointSchema = z.object({
  /** Which network of the model the epoch trained ("network main", "network crop"); absent for one-network records. */
  network: z.string().optional(),
  epoch: z.number().int(),
  losses: z.record(z.string(), z.number()),
  validation: z.record(z.string(), z.number().nullable()).optional(),
});

export const JobSchema = z.object({
  id: Id,
  kind: JobKindSchema,
  status: JobStatusSchema,
  studyId: Id.nullable(),
  title: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  progress: z.object({ done: z.number(), total: z.number(), etaS: z.number().nullable(), message: z.string() }),
  /** Training curves of fine-tuning jobs. */
  epochs: z.array(EpochPointSchema),
  error: z.string().nullable(),
  /** The model version a finished fine-tune produced. */
  resultModelId: z.string().nullable(),
  /** Per-file problems of a screening job. */
  problems: z.array(z.object({ file: z.string(), problem: z.string() })),
});
export type Job = z.infer<typeof JobSchema>;

/** The measures a fine-tune is compared with its parent on, per held-back case. */
export const COMPARISON_METRICS = ['odDice', 'ocDice', 'vcdrError'] as const;
export const ComparisonMetricSchema = z.enum(COMPARISON_METRICS);
export type ComparisonMetric = z.infer<typeof ComparisonMetricSchema>;

/** One held-back case scored by a fine-tuned model and by its parent (null where a measure does not apply). */
export const PairedCaseScoresSchema = z.object({
  id: z.string(),
  child: z.record(ComparisonMetricSchema, z.number().nullable()),
  parent: z.record(ComparisonMetricSchema, z.number().nullable()),
});
export type PairedCaseScores = z.infer<typeof PairedCaseScoresSchema>;

/**
 * A fine-tuned version against its parent on the same held-back corrected
 * cases: per measure the mean of each, the mean per-case difference with its
 * 95 % paired bootstrap interval, and a verdict that is 'too-few-cases' when
 * fewer than `minimumCases` were held back (no numbers then) or the interval
 * spans 0.
 */
export const HeldBackComparisonSchema = z.object({
  cases: z.number().int(),
  minimumCases: z.number().int(),
  metrics: z.array(
    z.object({
      key: ComparisonMetricSchema,
      higherIsBetter: z.boolean(),
      verdict: z.enum(['better', 'worse', 'too-few-cases']),
      /** Null below the minimum number of cases. */
      result: z
        .object({ n: z.number().int(), child: z.number(), parent: z.number(), difference: z.number(), low: z.number(), high: z.number() })
        .nullable(),
    }),
  ),
});
export type HeldBackComparison = z.infer<typeof HeldBackComparisonSchema>;

/** How a version came to be: the bundled default, fine-tuned in this app on how many corrections, or imported from a folder. */
export const ModelProvenanceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('bundled') }),
  z.object({ kind: z.literal('fine-tuned'), corrections: z.number().int().nullable(), heldBack: z.number().int().nullable() }),
  z.object({
    kind: z.literal('imported'),
    from: z.string(),
    at: z.string(),
    /** For a package fine-tuned elsewhere: on how many expert corrections (its manifest's training.finetune). */
    corrections: z.number().int().nullable().optional(),
  }),
]);
export type ModelProvenance = z.infer<typeof ModelProvenanceSchema>;

export const ModelVersionSchema = z.object({
  id: Id,
  name: z.string(),
  parentId: Id.nullable(),
  createdAt: z.string(),
  active: z.boolean(),
  bundled: z.boolean(),
  trainedTasks: z.array(TaskSchema),
  /** Validation metrics recorded in the package (odDice, ocDice, vcdrMae, auc, ...). */
  metrics: z.record(z.string(), z.number().nullable()),
  /** On what data the metrics were measured, in words. */
  metricsNote: z.string(),
  dataCard: z.object({ source: z.string(), licence: z.string(), intendedUse: z.string(), images: z.number().int(), notes: z.string().optional() }),
  provenance: ModelProvenanceSchema,
  /** A fine-tuned version against its parent on the same held-back cases; null for others (and fine-tunes made before it existed). */
  comparison: HeldBackComparisonSchema.nullable(),
  /** Its glaucoma decision rule and operating point in words (a fine-tune's may be refitted on the clinic's graded cases); null when its package cannot be read. */
  decision: z.string().nullable(),
});
export type ModelVersion = z.infer<typeof ModelVersionSchema>;

/** What a model package folder holds, read and checked before it is imported (nothing is installed yet). */
export const ModelPackagePreviewSchema = z.object({
  folder: z.string(),
  /** The id in the package's model.json. */
  packageId: z.string(),
  name: z.string(),
  createdAt: z.string(),
  description: z.string().nullable(),
  trainedTasks: z.array(TaskSchema),
  /** The package's validation record and the data it was measured on. */
  metrics: z.record(z.string(), z.number().nullable()),
  metricsNote: z.string(),
  dataCard: ModelVersionSchema.shape.dataCard,
  /** The package id of the model it was fine-tuned from, if any. */
  parent: z.string().nullable(),
  /** The glaucoma decision's operating point in words, or the paper's fixed rule. */
  decision: z.string(),
  /** The model version that already holds this package, if it was imported before. */
  installedAs: z.string().nullable(),
});
export type ModelPackagePreview = z.infer<typeof ModelPackagePreviewSchema>;

export const AppEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('job'), job: JobSchema }),
  z.object({ type: z.literal('case'), caseId: Id, studyId: Id }),
  z.object({ type: z.literal('study'), studyId: Id }),
  z.object({ type: z.literal('models') }),
  /** app.info changed (e.g. the job process reported its backend). */
  z.object({ type: z.literal('app') }),
  /** The operating point setting changed: every decision not signed may read differently. */
  z.object({ type: z.literal('operating-point') }),
]);
export type AppEvent = z.infer<typeof AppEventSchema>;

const Empty = z.object({}).strict();
const ByStudy = z.object({ studyId: Id }).strict();
const ByCase = z.object({ caseId: Id }).strict();
const ByJob = z.object({ jobId: Id }).strict();

// ---------- the calls ----------

export const contract = {
  'app.info': {
    input: Empty,
    output: z.object({
      version: z.string(),
      userDataDir: z.string(),
      backend: BackendInfoSchema.nullable(),
      activeModel: ModelVersionSchema.nullable(),
      user: z.string(),
      /** 'electron' or 'browser' (the local bridge). */
      shell: z.enum(['electron', 'browser']),
    }),
  },
  'studies.list': { input: Empty, output: z.array(StudySummarySchema) },
  /** Adds a folder of images as a study (non-images and unreadable files are listed, not fatal). */
  'studies.import': {
    input: z.object({ folder: z.string().min(1).max(4096), name: z.string().max(200).optional() }).strict(),
    output: z.object({
      study: StudySummarySchema,
      /**
       * Files with a problem. 'unreadable': an image that became a case all the same (counted in the study's images,
       * shown in the queue with its problem); 'skipped': a file that is not an image and was not imported.
       */
      problems: z.array(z.object({ file: z.string(), problem: z.string(), kind: z.enum(['skipped', 'unreadable']) })),
    }),
  },
  /** Opens the OS folder picker (Electron only; the browser mode answers null). */
  'studies.pickFolder': { input: Empty, output: z.object({ folder: z.string().nullable() }) },
  'studies.remove': { input: ByStudy, output: z.object({ removed: z.boolean() }) },
  /** Screens every image of a study without a prediction from the active model (or all with `rescreen`). */
  'screening.start': { input: z.object({ studyId: Id, rescreen: z.boolean().optional() }).strict(), output: z.object({ job: JobSchema }) },
  /** A study's cases in natural name order (img2 before img10); the review queue sorts and filters them itself. */
  'cases.list': {
    input: z.object({ studyId: Id, status: ReviewStatusSchema.optional() }).strict(),
    output: z.array(CaseSummarySchema),
  },
  'cases.get': { input: ByCase, output: CaseDetailSchema },
  /** Saves the expert's version of disc, cup and fovea as a new revision (the prediction is never changed). */
  'cases.saveAnnotation': {
    input: z
      .object({
        caseId: Id,
        /** The revision this edit started from; a stale one is refused (another window saved meanwhile). */
        baseRevision: z.number().int().nonnegative(),
        labels: LabelMapSchema,
        fovea: PointSchema.nullable(),
        note: z.string().max(500),
      })
      .strict(),
    output: z.object({ revision: z.number().int(), summary: CaseSummarySchema }),
  },
  /** One stored revision of the expert's annotation (to view an old one, or restore it as a new revision). */
  'cases.revision': {
    input: z.object({ caseId: Id, revision: z.number().int().positive() }).strict(),
    output: z.object({ revision: z.number().int(), labels: LabelMapSchema, fovea: PointSchema.nullable(), author: z.string(), at: z.string(), note: z.string() }),
  },
  'cases.setStatus': {
    input: z.object({ caseId: Id, status: ReviewStatusSchema, reason: z.string().max(500).optional() }).strict(),
    output: z.object({ summary: CaseSummarySchema }),
  },
  /**
   * The clinician's own call: referral (with the reason), glaucoma grade, notes, and the eye and patient id.
   * Only the given fields change; each change is in the audit trail.
   */
  'cases.setCall': {
    input: z
      .object({
        caseId: Id,
        referral: ReferralSchema.nullable().optional(),
        referralReason: z.string().max(500).nullable().optional(),
        grade: GradeSchema.nullable().optional(),
        notes: z.string().max(10_000).optional(),
        eye: EyeSchema.optional(),
        patientId: z.string().max(100).nullable().optional(),
      })
      .strict(),
    output: z.object({ summary: CaseSummarySchema }),
  },
  /** Live vCDR and decision for a label map being edited (the same rule and regression as screening). */
  'cases.assess': {
    input: z.object({ caseId: Id, labels: LabelMapSchema }).strict(),
    output: z.object({ vcdr: z.number().nullable(), probability: z.number().nullable(), decision: z.enum(['glaucoma', 'normal']).nullable() }),
  },
  /** The app's operating point (one target specificity for every study), with the active model's choices and figures. */
  'settings.operatingPoint': {
    /** `preview`: a target specificity to show among the choices (with its threshold and figures) before it is applied. */
    input: z.object({ preview: TargetSpecificitySchema.optional() }).strict(),
    output: OperatingPointSettingSchema,
  },
  /**
   * Sets the target specificity (null: each model's stored default). Every prediction is decided again at the new
   * threshold from its stored probability (nothing is re-screened); signed approvals never change. Audited.
   */
  'settings.setOperatingPoint': {
    input: z.object({ targetSpecificity: TargetSpecificitySchema.nullable() }).strict(),
    output: z.object({ setting: OperatingPointSettingSchema, redecided: z.number().int(), changedDecisions: z.number().int() }),
  },
  'jobs.list': { input: Empty, output: z.array(JobSchema) },
  'jobs.cancel': { input: ByJob, output: z.object({ job: JobSchema }) },
  /** Continues an interrupted or cancelled job from where it stopped. */
  'jobs.resume': { input: ByJob, output: z.object({ job: JobSchema }) },
  'models.list': { input: Empty, output: z.array(ModelVersionSchema) },
  /** Makes a model version the one used for screening (rollback = activate the parent). */
  'models.activate': { input: z.object({ modelId: Id }).strict(), output: z.object({ model: ModelVersionSchema }) },
  /** Reads and checks a model package folder (manifest and weight hashes) and says what it holds; installs nothing. */
  'models.inspectPackage': { input: z.object({ folder: z.string().min(1).max(4096) }).strict(), output: ModelPackagePreviewSchema },
  /** Copies a checked model package into the app's data folder as a new version (atomically); activates it only when asked. */
  'models.import': {
    input: z.object({ folder: z.string().min(1).max(4096), activate: z.boolean().optional() }).strict(),
    output: z.object({ model: ModelVersionSchema }),
  },
  /** Writes a version's package into a new folder inside `folder` (atomically; an existing folder is never overwritten). */
  'models.export': { input: z.object({ modelId: Id, folder: z.string().min(1).max(4096) }).strict(), output: z.object({ folder: z.string() }) },
  /**
   * How many approved corrections a fine-tune would use: to train on (of which
   * `earlier` were used by an earlier fine-tune) and held back to compare it with
   * its parent (each case's role is decided once, the first time it is used).
   */
  'finetune.preview': {
    input: Empty,
    output: z.object({
      approved: z.number().int(),
      training: z.number().int(),
      validation: z.number().int(),
      earlier: z.number().int(),
      minimum: z.number().int(),
      heldBackMinimum: z.number().int(),
    }),
  },
  'finetune.start': {
    input: z.object({ epochs: z.number().int().min(1).max(500).optional(), learningRate: z.number().positive().max(1).optional() }).strict(),
    output: z.object({ job: JobSchema }),
  },
  /** Writes the study's approved and corrected annotations: REFUGE BMP masks + fovea CSV, and PNG masks. */
  'export.corrections': {
    input: z.object({ studyId: Id, folder: z.string().min(1).max(4096), formats: z.array(z.enum(['refuge', 'png'])).min(1) }).strict(),
    output: z.object({ folder: z.string(), written: z.number().int() }),
  },
  /** One row per case of a study: vCDR, the model's and the clinician's decisions, grade, reviewer, approval, notes (CSV-injection safe). */
  'export.casesCsv': {
    input: z.object({ studyId: Id, folder: z.string().min(1).max(4096) }).strict(),
    output: z.object({ file: z.string(), rows: z.number().int() }),
  },
  /** The study report (HTML): every case with the model's result and model, the signed approval and the clinician's call. */
  'export.studyReport': {
    input: z.object({ studyId: Id, folder: z.string().min(1).max(4096) }).strict(),
    output: z.object({ file: z.string() }),
  },
  /** A per-eye report of one case (HTML; PDF where the shell can print). */
  'export.report': {
    input: z.object({ caseId: Id, format: z.enum(['html', 'pdf']), folder: z.string().min(1).max(4096) }).strict(),
    output: z.object({ file: z.string() }),
  },
} as const satisfies Record<string, { input: z.ZodType; output: z.ZodType }>;

export type Contract = typeof contract;
export type Method = keyof Contract;
/** What the renderer passes (defaults may be omitted). */
export type Input<M extends Method> = z.input<Contract[M]['input']>;
/** What a handler receives after validation (defaults filled). */
export type ParsedInput<M extends Method> = z.output<Contract[M]['input']>;
export type Output<M extends Method> = z.output<Contract[M]['output']>;

/** The renderer's view of main: one function per call. */
export type Api = { readonly [M in Method]: (input: Input<M>) => Promise<Output<M>> };

/** Main's implementation: one handler per call, given validated input. */
export type Handlers = { readonly [M in Method]: (input: ParsedInput<M>) => Promise<Output<M>> | Output<M> };

export const METHODS = Object.keys(contract) as Method[];

/** An error crossing the boundary: a message for the user and, when known, the file at fault. */
export interface ApiErrorDto {
  readonly message: string;
  readonly file?: string;
  readonly code: 'invalid-input' | 'not-found' | 'conflict' | 'input-error' | 'internal';
}

// ---------- media ----------

/**
 * Paths of media the renderer loads as images (the transport adds the origin:
 * gs-media://app in Electron, http://127.0.0.1:PORT with a token in the bridge).
 * The revision parameter defeats caching when a file changes.
 */
export const mediaPath = {
  image: (caseId: string): string => `/media/case/${encodeURIComponent(caseId)}/image`,
  heatmap: (caseId: string, task: 'od' | 'oc' | 'fovea', modelId: string): string =>
    `/media/case/${encodeURIComponent(caseId)}/heatmap/${task}?model=${encodeURIComponent(modelId)}`,
};
