// The label rule every editing tool goes through: 0 background, 1 disc rim,
// 2 cup. Because the cup is its own label *inside* the disc label set, "cup
// inside disc" cannot be broken by construction: painting cup anywhere makes
// that pixel disc too (the disc grows), and erasing disc erases the cup there.
// The label values are the contract's (core/contract/label-map.ts).
import { LABEL_BACKGROUND as BACKGROUND, LABEL_CUP as CUP, LABEL_RIM as RIM } from '../../../src-main/core/contract/label-map';

/** The structure a tool edits. */
export type Structure = 'disc' | 'cup';


/** The label after painting `structure` over `current`. */
export function painted(current: number, structure: Structure): number {
  if (structure === 'cup') return CUP;
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
 * replacing the cup grows the disc where the new cup pokes out.
 */
export function replaced(current: number, structure: Structure, inside: boolean): number {
  return inside ? painted(current, structure) : erased(current, structure);
}
