// Data: everything between files on disk and the core's value types.
// - image-codec.ts: the ImageCodec contract (the sharp implementation lives in
//   src-main/platform/sharp-codec.ts), the letterbox rule, format sniffing, limits;
// - bmp.ts, xlsx.ts (+ xml.ts), csv.ts: the file formats datasets come in, in pure TS;
// - sample.ts: Sample / Dataset / MaskSource, and readSampleMasks;
// - one reader per layout (refuge, drishti, roi, folder, manifest) and spec.ts,
//   which turns 'kind:path' or a bare path into a Dataset;
// - synth.ts: seeded synthetic fundus photographs and REFUGE trees with exact ground truth.
// To add a dataset layout: write readX(root): Dataset in its own module (find the parts
// by name with walkFiles, put per-file issues in `problems`, throw InputError only when
// nothing usable is there), add its kind to spec.ts (prefix and detection), and test it
// on a small tree built in a temp folder.
export * from './bmp';
export * from './csv';
export * from './drishti';
export * from './folder';
export * from './image-codec';
export * from './manifest';
export * from './refuge';
export * from './roi';
export * from './sample';
export * from './spec';
export * from './synth';
export * from './walk';
export * from './xlsx';
