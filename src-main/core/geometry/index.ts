// Geometry: where a pixel of the original image lands in the network input
// (letterbox) or in a disc-region crop, and back. Pure functions; every result
// is reported in original pixels, so these mappings are the only place that
// knows about padding and resizing.
export * from './crop';
export * from './letterbox';
