// Settings of the paper's experiment: several strategies, k-fold CV on
// train+validation, every fold model scored on the held-apart test split.
import type { StrategyName } from './strategies';
import type { TrainingConfig } from './run-training';

export interface ExperimentConfig {
  readonly data: string;
  readonly strategies: readonly StrategyName[];
  readonly folds: number;
  /** Model and training flags shared by every strategy (as `train` takes them). */
  readonly training: Omit<TrainingConfig, 'data' | 'strategy' | 'folds' | 'finalModel' | 'name'>;
  /** Test-time augmentation when scoring. */
  readonly tta: boolean;
}
