/** 2^14 registers: 16 KiB per column, a standard error of 1.04 / sqrt(2^14) ≈ 0.8%. */
const precision = 14;
const registerCount = 1 << precision;
const alpha = 0.7213 / (1 + 1.079 / registerCount);

/**
 * Counts distinct strings in constant memory (Flajolet et al., 2007, with linear counting for
 * small cardinalities). The 32-bit hash keeps it accurate to some hundred million distinct values,
 * far beyond what fits in a file this job reads in its time limit.
 */
export class HyperLogLog {
  private readonly registers = new Uint8Array(registerCount);

  add(value: string): void {
    const hash = hashString(value);
    const index = hash >>> (32 - precision);
    // The rank of the first 1 bit in the remaining bits, the guard bit bounding it when they are all 0.
    const rank = Math.clz32(((hash << precision) | (1 << (precision - 1))) >>> 0) + 1;
    if (rank > (this.registers[index] ?? 0)) this.registers[index] = rank;
  }

  estimate(): number {
    let sum = 0;
    let zeros = 0;
    for (const register of this.registers) {
      sum += 2 ** -register;
      if (register === 0) zeros++;
    }
    const raw = (alpha * registerCount * registerCount) / sum;
    if (raw <= 2.5 * registerCount && zeros > 0) return registerCount * Math.log(registerCount / zeros);
    return raw;
  }
}

/** FNV-1a over UTF-16 code units, then MurmurHash3's finaliser so every output bit depends on every input bit. */
export function hashString(value: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < value.length; index++) {
    hash = Math.imul(hash ^ value.charCodeAt(index), 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}
