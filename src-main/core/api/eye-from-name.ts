// Which eye, and whose, from a file name. Clinics export names such as
// P0012_OD.jpg, 4711-L.png or smith_left_2019.tif; the eye token is read as
// left (L, LE, OS, LEFT) or right (R, RE, OD, RIGHT), and the tokens before it
// as the patient id. Folders named for an eye count too (left/P001.jpg). When
// the name says nothing, or says both, the eye is unknown: a guess would be
// worse than nothing in a report.

export type EyeSide = 'left' | 'right' | 'unknown';

const LEFT = new Set(['l', 'le', 'os', 'left']);
const RIGHT = new Set(['r', 're', 'od', 'right']);

function sideOf(token: string): 'left' | 'right' | null {
  const t = token.toLowerCase();
  return LEFT.has(t) ? 'left' : RIGHT.has(t) ? 'right' : null;
}

/** Eye and patient id from a path relative to the study folder ('P001_OD.jpg', 'left/P001.jpg'). */
export function eyeFromName(relativePath: string): { eye: EyeSide; patientId: string | null } {
  const parts = relativePath.split(/[\\/]/).filter((p) => p !== '');
  const file = parts.pop() ?? '';
  const stem = file.includes('.') ? file.slice(0, file.lastIndexOf('.')) : file;
  const tokens = stem.split(/[_\-\s.]+/).filter((t) => t !== '');
  const sides = new Set<'left' | 'right'>();
  let firstEye = -1;
  tokens.forEach((t, i) => {
    const side = sideOf(t);
    if (side) {
      sides.add(side);
      if (firstEye < 0) firstEye = i;
    }
  });
  for (const folder of parts) {
    const side = sideOf(folder);
    if (side) sides.add(side);
  }
  if (sides.size !== 1) return { eye: 'unknown', patientId: null };
  const eye = [...sides][0]!;
  const patientId = firstEye > 0 ? tokens.slice(0, firstEye).join('_') : null;
  return { eye, patientId };
}
