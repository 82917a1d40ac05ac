// What a fine-tune needs, owned by the training layer: the job protocol sends
// it, the store keeps it (so a resume sends exactly the same one) and both take
// their types from these schemas.
import { z } from 'zod';

const PointSchema = z.object({ x: z.number(), y: z.number() });

/** One labelled image for fine-tuning: a REFUGE-convention mask file (0 cup, 128 rim, 255 background, image size) and optional fovea and label. */
export const LabelledImageSchema = z.object({
  id: z.string(),
  file: z.string(),
  mask: z.string().optional(),
  fovea: PointSchema.optional(),
  glaucoma: z.union([z.literal(0), z.literal(1)]).optional(),
});
export type LabelledImage = Readonly<z.infer<typeof LabelledImageSchema>>;

/** Fine-tune a model package on corrected cases; writes a new package (never touches the parent). */
export const FinetuneSpecSchema = z.object({
  parentModelDir: z.string(),
  /** The new package folder; written atomically at the end. */
  outModelDir: z.string(),
  /** Checkpoints and logs; a resumed job continues from its checkpoint here. */
  runDir: z.string(),
  train: z.array(LabelledImageSchema),
  validation: z.array(LabelledImageSchema),
  /** Examples of the parent's original training data to replay, mixed in with the corrections. */
  replay: z.array(LabelledImageSchema),
  epochs: z.number().int().positive(),
  learningRate: z.number().positive(),
  batchSize: z.number().int().positive(),
  seed: z.number().int(),
  resume: z.boolean(),
  /** Name and id of the new model version. */
  modelId: z.string(),
  modelName: z.string(),
  /**
   * Weight of learning without forgetting (distill.ts): the parent's own
   * outputs on the fine-tuning images as extra targets. 0: off. Absent: on at
   * DEFAULT_DISTILL_WEIGHT when nothing is replayed, off when replay is given.
   */
  distillWeight: z.number().min(0).optional(),
  /**
   * Keep the parent's batch-norm statistics (normalise with them while
   * training). Absent: true (measured in docs/finetune.md: updating them on a
   * few images of another camera is most of what a fine-tune forgets).
   */
  frozenBatchNorm: z.boolean().optional(),
  /** Where the training images came from, for the child's record (a data spec, or "expert corrections"). */
  dataSource: z.string().optional(),
});
export type FinetuneSpec = Readonly<z.infer<typeof FinetuneSpecSchema>>;
