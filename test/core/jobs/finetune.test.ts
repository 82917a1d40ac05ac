import { describe, expect, it } from 'vitest';
import { fnv1a, replayLimit, splitCorrections, validationCount } from '../../../src-main/core/jobs/finetune';

describe('fine-tune data', () => {
  it('hashes strings with 32-bit FNV-1a', () => {
    // Reference values of FNV-1a 32: "" -> offset basis, "a" -> 0xe40c292c.
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
  });

  it('holds back about a fifth, at least one from three corrections on', () => {
    expect([0, 1, 2, 3, 4, 5, 7, 8, 10, 12].map(validationCount)).toEqual([0, 0, 0, 1, 1, 1, 1, 2, 2, 2]);
  });

  it('splits by the hash of the case id: stable when cases are added', () => {
    const ids = Array.from({ length: 10 }, (_, i) => ({ caseId: `c_${i}` }));
    const { train, validation } = splitCorrections(ids);
    expect(validation).toHaveLength(2);
    expect(train).toHaveLength(8);
    expect([...train, ...validation].map((c) => c.caseId).sort()).toEqual(ids.map((c) => c.caseId).sort());
    const lowest = [...ids].sort((a, b) => fnv1a(a.caseId) - fnv1a(b.caseId)).slice(0, 2);
    expect(validation).toEqual(ids.filter((c) => lowest.includes(c)));
    // The same split whatever the order they come in.
    expect(splitCorrections([...ids].reverse()).validation.map((c) => c.caseId).sort()).toEqual(validation.map((c) => c.caseId).sort());
  });

  it('replays twice the corrections, between 8 and 64', () => {
    expect([1, 4, 5, 20, 40].map(replayLimit)).toEqual([8, 8, 10, 40, 64]);
  });
});
