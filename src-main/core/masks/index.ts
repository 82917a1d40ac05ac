// Masks: pure functions on BinaryMask / GreyImage / FloatMap (types.ts), no
// TensorFlow. Post-processing (threshold, largest component), REFUGE measures,
// mask file conventions and resampling. (The editor's shapes live in the
// renderer; it shares measure.ts through the boundary test's allow-list.)
// Add a new operation as its own small module and re-export it here.
export * from './components';
export * from './mask';
export * from './measure';
export * from './refuge-mask';
export * from './resample';
export * from './shape-prior';
export * from './threshold';
