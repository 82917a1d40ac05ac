// Render: pure drawing on RgbImage (overlays, previews, heat maps) for the UI,
// reports and exports. No canvas, no native code: the same pixels in the app,
// the CLI and tests.
export * from './colour';
export * from './heatmap';
export * from './overlay';
export * from './preview';
