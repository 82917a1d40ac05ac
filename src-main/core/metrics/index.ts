// The official REFUGE metrics (ignaciorlando/refuge-evaluation) as pure
// functions on typed arrays and number arrays, plus the summary statistics used
// to report them. Each module cites the official file it matches; change one
// only together with a test that pins the official behaviour.
export * from './dice';
export * from './fovea';
export * from './ranking';
export * from './roc';
export * from './segmentation';
export * from './stats';
export * from './vcdr';
export * from './paired-comparison';
