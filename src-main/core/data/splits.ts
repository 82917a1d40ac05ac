// Which of a dataset's images a command works on, one rule for train, finetune,
// evaluate and the benches: 'train' is everything outside the test split (a
// dataset without one is all 'train'), 'test' the test split, 'all' every image.
import type { Split } from './sample';

export const SPLIT_CHOICES = ['train', 'all', 'test'] as const;
export type SplitChoice = (typeof SPLIT_CHOICES)[number];

export function inSplit<T extends { readonly split?: Split }>(samples: readonly T[], choice: SplitChoice): T[] {
  if (choice === 'all') return [...samples];
  return samples.filter((s) => (choice === 'test' ? s.split === 'test' : s.split !== 'test'));
}
