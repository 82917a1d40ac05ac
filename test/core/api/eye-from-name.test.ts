import { describe, expect, it } from 'vitest';
import { eyeFromName } from '../../../src-main/core/api/eye-from-name';

describe('eyeFromName', () => {
  it.each([
    ['P0012_OD.jpg', 'right', 'P0012'],
    ['P0012_OS.jpg', 'left', 'P0012'],
    ['4711-L.png', 'left', '4711'],
    ['4711 R.png', 'right', '4711'],
    ['smith_john_left_2019.tif', 'left', 'smith_john'],
    ['RIGHT_0001.jpg', 'right', null],
    ['left/P001.jpg', 'left', null],
    ['OD/OS/P001.jpg', 'unknown', null],
    ['P001_L_R.jpg', 'unknown', null],
    ['g0001.jpg', 'unknown', null],
    ['drishtiGS_002.png', 'unknown', null],
    ['Lens.png', 'unknown', null],
  ])('%s -> %s, patient %s', (name, eye, patient) => {
    expect(eyeFromName(name)).toEqual({ eye, patientId: patient });
  });
});
