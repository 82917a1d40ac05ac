// Held-out score sets as the benches read them: a score file (metrics.json, evaluation.json) or a training run folder
// (its folds/N/evaluation.json), comma-separated, joined into one image-by-image map.
import { z } from 'zod';
import { listOf } from '../../src-main/cli/args';
import { readJsonFileAs } from '../../src-main/core/fs/json-file';
import { scoreFilePaths } from '../../src-main/core/train/fit-decision';

const ImageSchema = z.object({ id: z.string(), odDice: z.number().nullable(), ocDice: z.number().nullable(), vcdr: z.number().nullable(), vcdrTrue: z.number().nullable(), glaucoma: z.union([z.literal(0), z.literal(1)]).nullable().optional() });
export type ScoredImage = z.infer<typeof ImageSchema>;
const ScoresSchema = z.object({ images: z.array(ImageSchema) });

/** Every image of the listed score files and run folders by id; an image scored twice is refused, naming the file. */
export function readScores(list: string): Map<string, ScoredImage> {
  const out = new Map<string, ScoredImage>();
  for (const file of scoreFilePaths(listOf(list))) {
    for (const image of readJsonFileAs(file, ScoresSchema, 'score file').images) {
      if (out.has(image.id)) throw new Error(`${file}: image ${image.id} is scored twice`);
      out.set(image.id, image);
    }
  }
  return out;
}
