// The four task losses, on logits (numerically stable forms). Each returns a
// scalar: the mean over every element of the batch.
import * as tf from '@tensorflow/tfjs-core';

/**
 * Element-wise binary cross-entropy on logits z with targets y in [0,1]:
 * max(z, 0) - z * y + log(1 + exp(-|z|)), which is -y log s(z) - (1-y) log(1 - s(z))
 * without overflow for large |z|.
 */
export function bceWithLogitsElementwise(logits: tf.Tensor, targets: tf.Tensor): tf.Tensor {
  return tf.tidy(() =>
    tf.add(tf.sub(tf.relu(logits), tf.mul(logits, targets)), tf.log1p(tf.exp(tf.neg(tf.abs(logits))))),
  );
}

/** Mean binary cross-entropy: the OD and OC segmentation loss of the paper. */
export function bceLoss(logits: tf.Tensor, targets: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(bceWithLogitsElementwise(logits, targets)) as tf.Scalar);
}

/**
 * Focal loss (Lin et al. 2017) on logits: -alpha (1 - p_t)^gamma log p_t, with
 * p_t = p for positives and 1 - p for negatives. The glaucoma loss: alpha 1,
 * gamma 2, because only about 10 % of cases are positive.
 */
export function focalLoss(logits: tf.Tensor, targets: tf.Tensor, gamma = 2, alpha = 1): tf.Scalar {
  return tf.tidy(() => {
    const ce = bceWithLogitsElementwise(logits, targets); // = -log p_t
    const p = tf.sigmoid(logits);
    const pt = tf.add(tf.mul(targets, p), tf.mul(tf.sub(1, targets), tf.sub(1, p)));
    const modulator = tf.pow(tf.sub(1, pt), gamma);
    return tf.mean(tf.mul(tf.mul(modulator, ce), alpha)) as tf.Scalar;
  });
}

/** Mean absolute error between the sigmoid of the logits and a target heat map: the fovea loss. */
export function l1HeatmapLoss(logits: tf.Tensor, targets: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.abs(tf.sub(tf.sigmoid(logits), targets))) as tf.Scalar);
}

/**
 * Soft Dice loss on logits: 1 - mean over images of
 * (2 sum(p y) + s) / (sum(p) + sum(y) + s), p = sigmoid(logits), s = `smooth`.
 * Per image, so a small cup counts as much as a large one; pixel-wise BCE alone
 * lets a cup's few boundary pixels matter little against the whole crop, which
 * is where the vCDR is decided. `smooth` keeps an image without the structure
 * (both sums near zero) from dividing by zero, and scores it 1 when nothing is
 * predicted there.
 */
export function softDiceLoss(logits: tf.Tensor, targets: tf.Tensor, smooth = 1): tf.Scalar {
  return tf.tidy(() => {
    const p = tf.sigmoid(logits);
    const axes = Array.from({ length: logits.rank - 1 }, (_, i) => i + 1);
    const overlap = tf.sum(tf.mul(p, targets), axes);
    const sizes = tf.add(tf.sum(p, axes), tf.sum(targets, axes));
    const dice = tf.div(tf.add(tf.mul(overlap, 2), smooth), tf.add(sizes, smooth));
    return tf.sub(1, tf.mean(dice)) as tf.Scalar;
  });
}

/** The segmentation losses a network can train with: the paper's pixel-wise BCE, or BCE plus soft Dice. */
export const SEGMENTATION_LOSSES = ['bce', 'bce-dice'] as const;
export type SegmentationLoss = (typeof SEGMENTATION_LOSSES)[number];

/** The OD / OC loss of one batch under `kind`; 'bce-dice' adds the two terms with equal weight. */
export function segmentationLoss(kind: SegmentationLoss, logits: tf.Tensor, targets: tf.Tensor): tf.Scalar {
  if (kind === 'bce') return bceLoss(logits, targets);
  return tf.tidy(() => tf.add(bceLoss(logits, targets), softDiceLoss(logits, targets)) as tf.Scalar);
}
