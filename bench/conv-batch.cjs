// Times single 3x3 convolutions of the paper's network at batch 1 and batch 2 on
// native TensorFlow, and checks whether TF_ONEDNN_ASSUME_FROZEN_WEIGHTS keeps
// stale filters. Not part of the product; see bench/RESULTS.md.
//   node bench/conv-batch.cjs
//   TF_ONEDNN_ASSUME_FROZEN_WEIGHTS=1 node bench/conv-batch.cjs
const tf = require('@tensorflow/tfjs-node');

// First (before any other convolution, where the switch was seen to go wrong):
// two filters of one shape must give two different outputs.
const x = tf.randomNormal([1, 32, 32, 16], 0, 1, 'float32', 1);
const a = tf.conv2d(x, tf.randomNormal([3, 3, 16, 16], 0, 1, 'float32', 2), 1, 'same').dataSync();
const b = tf.conv2d(x, tf.randomNormal([3, 3, 16, 16], 0, 1, 'float32', 3), 1, 'same').dataSync();
let diff = 0;
for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
console.log(`two filters of one shape: max output difference ${diff.toFixed(3)}${diff < 1e-3 ? ' (STALE FILTER: wrong results)' : ''}`);

const SHAPES = [[256, 64, 64], [128, 64, 128], [128, 128, 128], [64, 256, 256], [32, 512, 512], [64, 512, 128], [256, 128, 64]];

function medianMs(run, repeats = 5) {
  run();
  const times = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = process.hrtime.bigint();
    run();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return times.sort((a, b) => a - b)[Math.floor(repeats / 2)];
}

for (const [side, cin, cout] of SHAPES) {
  const filter = tf.randomNormal([3, 3, cin, cout]);
  const bias = tf.zeros([cout]);
  const perImage = {};
  for (const n of [1, 2]) {
    const x = tf.randomNormal([n, side, side, cin]);
    perImage[n] =
      medianMs(() => {
        // Reading the result back makes sure the work is done inside the timing.
        const y = tf.fused.conv2d({ x, filter, bias, activation: 'relu', strides: 1, pad: 'same' });
        y.dataSync();
        y.dispose();
      }) / n;
    x.dispose();
  }
  console.log(`${side}x${side} ${cin}->${cout}: batch 1 ${perImage[1].toFixed(1)} ms, batch 2 ${perImage[2].toFixed(1)} ms/image`);
}
