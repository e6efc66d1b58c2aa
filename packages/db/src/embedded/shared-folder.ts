import { chmod, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * `dir` and any missing folder above it (under /var/lib/jobkit: ours, never a person's), made
 * traversable by everyone whatever the umask, for the `postgres` user to reach what is inside.
 */
export async function makeSharedFolder(dir: string): Promise<void> {
  const firstMade = await mkdir(dir, { recursive: true });
  if (firstMade === undefined) return;
  for (let folder = dir; folder.length >= firstMade.length; folder = dirname(folder)) await chmod(folder, 0o755);
}
