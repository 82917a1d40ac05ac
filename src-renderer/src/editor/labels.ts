// The label rule every editing tool goes through: 0 background, 1 disc rim,
// 2 cup. Because the cup is its own label *inside* the disc label set, "cup
// inside disc" cannot be broken by construction. Painting cup outside the disc
// leaves the background alone (it used to grow the disc silently: a cup stroke
// that slipped off the disc changed the disc the reader had checked); the tools
// count such pixels so the editor can say so. Erasing disc erases the cup there.
// The label values are the contract's (core/contract/label-map.ts).
import { LABEL_BACKGROUND as BACKGROUND, LABEL_CUP as CUP, LABEL_RIM as RIM } from '../../../src-main/core/contract/label-map';

/** The structure a tool edits. */
export type Structure = 'disc' | 'cup';


/** The label after painting `structure` over `current`. */
export function painted(current: number, structure: Structure): number {
  if (structure === 'cup') return current === BACKGROUND ? BACKGROUND : CUP;
  return current === BACKGROUND ? RIM : current;
}

/** The label after erasing `structure` from `current`. */
export function erased(current: number, structure: Structure): number {
  if (structure === 'disc') return BACKGROUND;
  return current === CUP ? RIM : current;
}

/**
 * The label when a closed shape *replaces* a structure (polygon and ellipse
 * tools): inside the shape the structure is painted; outside it the structure
 * is erased. Replacing the disc therefore also clips the cup to the new disc;
 * replacing the cup clips the new cup to the disc.
 */
export function replaced(current: number, structure: Structure, inside: boolean): number {
  return inside ? painted(current, structure) : erased(current, structure);
}

/** Whether painting `structure` over `current` was refused because the cup would leave the disc. */
export function clippedByDisc(current: number, structure: Structure): boolean {
  return structure === 'cup' && current === BACKGROUND;
}
