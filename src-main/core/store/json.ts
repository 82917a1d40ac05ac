// JSON columns are a boundary like any other: a row written by an older app, a
// hand-edited database or a bug must not reach the UI as a wrong type. Every
// JSON column is read back through a schema; a bad value is an error naming
// the table, the row and the field.
import { z } from 'zod';
import { schemaProblem } from '../errors';
import { FinetuneSpecSchema } from '../train/finetune-spec';
import { EpochPointSchema, HeldBackComparisonSchema, LabelMapSchema, ModelProvenanceSchema, PredictionSummarySchema, TaskSchema } from '../contract/contract';

export const JobProgressSchema = z.object({ done: z.number(), total: z.number(), etaS: z.number().nullable(), message: z.string() });

export const MetricsSchema = z.record(z.string(), z.number().nullable());

export const DataCardColumnSchema = z.object({ source: z.string(), licence: z.string(), intendedUse: z.string(), images: z.number().int(), notes: z.string().optional() });

export const TrainedTasksSchema = z.array(TaskSchema);

export { HeldBackComparisonSchema, ModelProvenanceSchema };

export const LossesSchema = EpochPointSchema.shape.losses;

export const ValidationSchema = z.record(z.string(), z.number().nullable());

/** What a screening job row needs to (re)start: the items are chosen when it runs. */
export const ScreenJobRecordSchema = z.object({
  kind: z.literal('screen'),
  studyId: z.string(),
  modelId: z.string(),
  /** Screen cases that already have a prediction from this model too. */
  rescreen: z.boolean(),
  tta: z.boolean(),
  heatmaps: z.boolean(),
});
export type ScreenJobRecord = z.infer<typeof ScreenJobRecordSchema>;

/** A fine-tune's complete job spec, kept so that a resume sends exactly the same one (with resume: true). */
export const FinetuneJobRecordSchema = FinetuneSpecSchema.omit({ resume: true }).extend({
  kind: z.literal('finetune'),
  parentModelId: z.string(),
});
export type FinetuneJobRecord = z.infer<typeof FinetuneJobRecordSchema>;

export const JobRecordSchema = z.discriminatedUnion('kind', [ScreenJobRecordSchema, FinetuneJobRecordSchema]);
export type JobRecord = z.infer<typeof JobRecordSchema>;

export { LabelMapSchema, PredictionSummarySchema };

/** A stored value that does not match its schema. */
export class CorruptRowError extends Error {
  override readonly name = 'CorruptRowError';
}

/** Parses a JSON column; `where` names it in the error ("predictions 12 summary"). */
export function readJson<S extends z.ZodType>(schema: S, text: string, where: string): z.output<S> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CorruptRowError(`${where}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new CorruptRowError(`${where}: invalid value ${schemaProblem(parsed.error)}`);
  return parsed.data;
}

/** Nullable JSON column. */
export function readJsonOrNull<S extends z.ZodType>(schema: S, text: string | null, where: string): z.output<S> | null {
  return text === null ? null : readJson(schema, text, where);
}
