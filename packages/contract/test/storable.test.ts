import { describe, expect, it } from 'vitest';
import { repairedForStorage, repairedTextForStorage, storableValue, unstorableTextReason } from '../src/storable.ts';

// NUL, a lone high and a lone low surrogate, and a pair (an emoji) that must survive.
const unstorable = 'a\u0000b \ud800 c\udc00 \ud83d\ude00';
const repaired = 'ab \ufffd c\ufffd \ud83d\ude00';

describe('what PostgreSQL cannot store', () => {
  it('tells why a text cannot be stored', () => {
    expect(unstorableTextReason('plain \ud83d\ude00')).toBeNull();
    expect(unstorableTextReason('a\u0000b')).toMatch(/NUL/);
    expect(unstorableTextReason('a\ud800')).toMatch(/surrogate/);
  });

  it('refuses input holding it, naming each field, keys included', () => {
    const result = storableValue.safeParse({ fine: 'x', list: ['ok', 'a\u0000'], ['k\udc00']: 1 });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map(({ path, message }) => [path, message])).toEqual([
      [[], 'A field name must be well-formed Unicode: it holds an unpaired UTF-16 surrogate (U+D800-U+DFFF)'],
      [['list', 1], 'Text must not contain the NUL character (U+0000)'],
    ]);
    expect(storableValue.safeParse({ deep: [[{ text: 'fine' }]], n: 1 }).success).toBe(true);
  });

  it('repairs output holding it: NUL dropped, a lone surrogate replaced, everything else kept', () => {
    expect(repairedTextForStorage(unstorable)).toBe(repaired);
    const date = new Date(0);
    expect(repairedForStorage({ text: unstorable, list: [unstorable, 3, null], [unstorable]: { when: date } })).toEqual({
      text: repaired,
      list: [repaired, 3, null],
      [repaired]: { when: date },
    });
    expect(unstorableTextReason(repaired)).toBeNull();
  });
});
