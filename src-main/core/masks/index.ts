// Masks: pure functions on BinaryMask / GreyImage / FloatMap (types.ts), no
// TensorFlow. Post-processing (threshold, largest component), REFUGE measures,
// mask file conventions, outlines, resampling and the editing tools' shapes.
// Add a new operation as its own small module and re-export it here.
export * from './components';
export * from './contours';
export * from './ellipse';
export * from './mask';
export * from './measure';
export * from './polygon';
export * from './refuge-mask';
export * from './resample';
export * from './threshold';
